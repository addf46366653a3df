import pytest

from ingest.redact import find_personal_data, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mejla kalle.karlsson@orebro.se om det.", "Mejla [e-post] om det."),
        ("Ring 019-21 10 00 eller 070-123 45 67.", "Ring [telefon] eller [telefon]."),
        ("Nås på +46 70 123 45 67", "Nås på [telefon]"),
        ("Personnummer 19800101-1234 och 800101-1234", "Personnummer [personnummer] och [personnummer]"),
        ("Samordningsnummer 800161-1234", "Samordningsnummer [personnummer]"),
        ("Autokorrigerat 19850312–1234 och 850312–1234", "Autokorrigerat [personnummer] och [personnummer]"),
        (
            "Med mellanslag 19850312 - 1234, snedstreck 850312/1234",
            "Med mellanslag [personnummer], snedstreck [personnummer]",
        ),
        ("Som datum 1985-03-12-1234", "Som datum [personnummer]"),
        ("Utan skiljetecken 8001011234", "Utan skiljetecken [personnummer]"),
        ("Mobil 0701234567, tel:0701234567", "Mobil [telefon], tel:[telefon]"),
    ],
)
def test_personal_data_is_replaced(text, expected):
    assert redact(text) == expected
    assert find_personal_data(text)
    assert find_personal_data(redact(text)) == []


@pytest.mark.parametrize(
    "text",
    [
        "Vi betalade ut 50 680 000 kr under 2022.",
        "Mötet är 2022-10-01 kl 13.00, 14 deltagare, 60 % har anställda.",
        "Tabell 3: 52 inrapporterade former, 5,8 i snitt.",
        "Överenskommelsen gällde 2010-2019; nu gällande 2020-2023.",
        "Kostnaden var 1 250 000 kr, varav 44 000 000 kr i föreningsbidrag.",
    ],
)
def test_numbers_that_are_not_personal_data_are_kept(text):
    assert redact(text) == text
    assert find_personal_data(text) == []


def test_text_is_nfc_normalised():
    assert redact("Fo\u0308rening") == "Förening"
