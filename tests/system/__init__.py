"""Whole-system tests: the installed command, its processes and its store, used as a user would.

They belong to no single room: `kill -9` trials (test_crash), a hostile corpus and hostile
questions through ingest, retrieval, answering and the command (test_bad_input), and many
chat sessions against one server (test_load). Each crosses every layer on purpose, so
they live here rather than beside one room's tests.
"""
