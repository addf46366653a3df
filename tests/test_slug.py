import pytest

from kb.core.slug import slugify


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Socialt företag", "socialt-foretag"),
        ("Församling/trossamfund", "forsamling-trossamfund"),
        ("Cirkulär ekonomi", "cirkular-ekonomi"),
        ("Dialog (enstaka tillfälle)", "dialog-enstaka-tillfalle"),
        ("Partnerskap/överenskommelse/IOP", "partnerskap-overenskommelse-iop"),
        ("Kultur- och fritidsförvaltningen", "kultur-och-fritidsforvaltningen"),
        ("Förvaltningen för utbildning, försörjning och arbete", "forvaltningen-for-utbildning-forsorjning-och-arbete"),
        ("Idéburen förening", "ideburen-forening"),
        ("  --Å ä Ö é!! ", "a-a-o-e"),
        ("Samråd/referensgrupp ", "samrad-referensgrupp"),
    ],
)
def test_slug_rule(name, expected):
    assert slugify(name) == expected


def test_slug_handles_decomposed_unicode():
    decomposed = "Fo\u0308rsamling"  # o + combining diaeresis
    assert slugify(decomposed) == "forsamling"
