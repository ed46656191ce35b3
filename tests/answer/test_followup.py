"""Follow-up questions rewritten from the conversation so far."""

from __future__ import annotations

from newsdesk.answer.followup import rewrite


def test_follow_up_resolves_pronouns() -> None:
    history = [{"question": "Who did Baqeri meet in Moscow on Monday?",
                "answer": "Valery Gerasimov, Chief of the General Staff."}]
    assert rewrite("How did he describe Iran?", history).startswith(
        "How did Valery Gerasimov describe Iran?")
    assert rewrite("Who won the 2022 FIFA World Cup?", history) == (
        "Who won the 2022 FIFA World Cup?")
    deal = [{"question": "What arms deal did Bagheri talk about?", "answer": "fighter jets"}]
    assert rewrite("When was it signed?", deal).startswith("When was the arms deal signed?")
