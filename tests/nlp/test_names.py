"""One name per person: spellings that must merge, and names that must stay apart."""

from __future__ import annotations

import pytest

from newsdesk.nlp.names import VariantIndex, name_clusters, name_words, same_name, skeleton


@pytest.mark.parametrize(("a", "b"), [
    ("Bagheri", "Baqeri"),  # Persian q written q or gh
    ("Major General Mohammad Hossein Bagheri", "Bagheri"),  # titles, first names
    ("Major General Mohammad Hossein Bagheri", "Baqeri"),
    ("Chief of Staff of the Iranian Armed Forces Mohammad Bagheri", "Mohammad Baqeri"),
    ("Shoigu", "Shoygu"),  # Russian й as i or y
    ("Sergei", "Sergey"),
    ("Defence Minister Sergei Shoigu", "Sergey Shoygu"),
    ("Mohammad", "Muhammad"),
    ("Mohammed", "Mohammad"),
    ("Hossein", "Hussein"),
    ("Zelensky", "Zelenskyy"),
    ("Zelenskiy", "Zelensky"),
    ("Gaddafi", "Qadhafi"),
    ("Khamenei", "Hamenei"),  # kh/h
    ("Dmitry", "Dmitri"),
    ("Tehran", "Teheran"),
    ("Bashar al-Assad", "Assad"),  # particles
    ("Müller", "Muller"),  # diacritics
    ("Hezbollah", "Hizbollah"),
    ("Abdollahian", "Abdullahian"),
    ("Islamic Revolutionary Guard Corps", "Islamic Revolutionary Guard Corps"),
])
def test_spellings_of_one_name_merge(a: str, b: str) -> None:
    assert same_name(a, b)
    assert same_name(b, a)


@pytest.mark.parametrize(("a", "b"), [
    ("Iran", "Iraq"),
    ("Austria", "Australia"),
    ("Putin", "Pushkin"),
    ("Russia", "Prussia"),
    ("Mohammad Bagheri", "Ali Bagheri"),  # one surname, two people
    ("United States", "United Kingdom"),
    ("Sergei", "Shoigu"),  # a first name is not the surname
    ("Jones", "Janes"),  # a/o changes an English name
    ("Trump", "Tramp"),
    ("Miller", "Muller"),
    ("Clinton", "Clifton"),
    ("Gaza", "Giza"),
    ("Mali", "Bali"),
    ("Oman", "Iran"),
    ("Martin", "Martina"),  # a last vowel makes another name
    ("Christine", "Christian"),
    ("Mariah", "Maria"),
    ("COVID-19", "COVID"),  # codes and numbers are not spellings
    ("MP3", "MP"),
    ("Xi", "XIII"),  # a numeral
    ("Bagheri", "Baker"),
])
def test_distinct_names_stay_apart(a: str, b: str) -> None:
    assert not same_name(a, b)
    assert not same_name(b, a)


def test_titles_and_particles_are_not_the_name() -> None:
    assert name_words("Major General Mohammad Hossein Bagheri") == ["Mohammad", "Hossein",
                                                                    "Bagheri"]
    assert name_words("Bashar al-Assad") == ["Bashar", "Assad"]
    assert name_words("Shoigu's") == ["Shoigu"]
    assert (skeleton("Baqeri"), skeleton("Bagheri"), skeleton("Sergey")) == ("bakeri", "bageri",
                                                                              "sergei")


def test_clusters_group_spellings_and_keep_people_apart() -> None:
    names = ["Bagheri", "Major General Mohammad Hossein Bagheri", "Baqeri", "Shoigu",
             "Defence Minister Sergey Shoygu", "Iran", "Iraq", "Austria", "Australia"]
    assert name_clusters(names) == [
        ["Bagheri", "Major General Mohammad Hossein Bagheri", "Baqeri"],
        ["Shoigu", "Defence Minister Sergey Shoygu"],
        ["Iran"], ["Iraq"], ["Austria"], ["Australia"],
    ]


def test_an_ambiguous_surname_joins_neither_person() -> None:
    """"Bagheri" could be either man: it stays with its own spellings, not in a chain."""
    clusters = name_clusters(["Mohammad Bagheri", "Ali Bagheri", "Bagheri", "Baqeri",
                              "Mohammad Hossein Baqeri"])
    assert clusters == [["Mohammad Bagheri", "Mohammad Hossein Baqeri"], ["Ali Bagheri"],
                        ["Bagheri", "Baqeri"]]


def test_clusters_drop_empty_names_and_repeats() -> None:
    assert name_clusters(["Shoigu", "", "Shoigu", "---", "Shoygu"]) == [["Shoigu", "Shoygu"]]


def test_the_variant_index_finds_other_spellings_only() -> None:
    index = VariantIndex(["bagheri", "baqeri", "baker", "shoigu", "shoygu", "iran", "iraq"])
    assert index.variants("bagheri") == ["baqeri"]
    assert set(index.variants("Baqeri")) == {"bagheri", "baqeri"}  # as asked, capitalised
    assert index.variants("shoygu") == ["shoigu"]
    assert index.variants("iran") == []
    assert index.variants("putin") == []
