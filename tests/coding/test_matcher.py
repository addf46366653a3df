"""The normaliser and matcher: base forms, layers, compounds, idioms, negation, spans."""

from __future__ import annotations

from kb.coding.pipeline import code_one, code_texts


def themes(nlp, text, kind=None):
    return code_one(nlp, text, kind).theme_ids


def negated(nlp, text, kind=None):
    return {c["theme"] for c in code_one(nlp, text, kind).negated}


def test_verb_does_not_match_noun_term(nlp):
    # "bidrar" is the verb bidra, not the noun bidrag (finansiering)
    assert "finansiering" not in themes(nlp, "De bidrar med kunskap.")
    assert "finansiering" in themes(nlp, "Föreningsbidragen räcker inte.")


def test_capitalised_inflected_compound(nlp):
    result = code_one(nlp, "Kontaktytorna saknas.")
    [coding] = [c for c in result.themes if c["theme"] == "kontaktytor"]
    assert coding["text"] == "Kontaktytorna" and coding["layer"] in ("lemma", "alt_lemma")


def test_token_bases_and_norm(nlp):
    doc = nlp("Kontaktytorna och tiden")
    assert "kontaktyta" in doc[0]._.bases
    assert doc[2].norm_ == "tid"


def test_compound_head(nlp):
    [c] = [c for c in code_one(nlp, "Personalresurserna är slut.").themes if c["theme"] == "resurser"]
    assert c["layer"] == "compound" and c["rule"].startswith("sammansättning:")


def test_compound_first_part(nlp):
    assert "tid" in themes(nlp, "Tidsbristen är stor.")


def test_compound_exclusions_and_idioms(nlp):
    assert "tid" not in themes(nlp, "Framtiden är oviss och fritiden kort.")
    assert "tid" not in themes(nlp, "Vi pratar med föreningarna hela tiden.")
    assert "tid" not in themes(nlp, "Vi har alltid samarbetat.")


def test_layers_and_confidence(nlp):
    result = code_one(nlp, "Tid och tider.")
    layers = {c["text"]: (c["layer"], c["confidence"]) for c in result.themes}
    assert layers["Tid"][0] in ("surface", "lemma")
    assert layers["tider"][0] == "lemma"
    assert layers["Tid"][1] >= layers["tider"][1]


def test_phrase_and_pattern_layers(nlp):
    result = code_one(nlp, "De går från idé till handling och vi hittar inte rätt.")
    by_theme = {c["theme"]: c for c in result.themes}
    assert by_theme["snabbhet"]["layer"] == "phrase"
    assert by_theme["kontaktytor"]["layer"] == "pattern" and by_theme["kontaktytor"]["text"] == "hittar inte rätt"


def test_denial_cancels_difficulty(nlp):
    assert negated(nlp, "Inga problem med sekretessen.") == {"sekretess"}
    assert negated(nlp, "Sekretessen är inget problem.") == {"sekretess"}
    assert negated(nlp, "Resurser saknas inte.") == {"resurser"}


def test_lack_confirms_difficulty(nlp):
    assert "tid" in themes(nlp, "Tiden räcker inte.")
    assert "tid" in themes(nlp, "Ingen tid.")
    assert not negated(nlp, "Tiden räcker inte.")


def test_plain_negation_of_adjective_and_verb_terms(nlp):
    assert negated(nlp, "Samverkan är inte tidskrävande.") == {"tid"}
    assert "flexibilitet" in negated(nlp, "De är inte flexibla.", "positivt")


def test_inte_bara_and_inte_minst_are_not_negation(nlp):
    assert "resursutnyttjande" in themes(nlp, "Det är inte bara effektivt utan roligt.", "positivt")
    assert "tid" in themes(nlp, "Inte minst tidskrävande möten.")


def test_comma_and_men_end_scope(nlp):
    result = code_one(nlp, "Inga problem med sekretessen, men tiden räcker inte.")
    assert result.theme_ids == {"tid"} and {c["theme"] for c in result.negated} == {"sekretess"}
    result = code_one(nlp, "Sekretessen är inget problem men resurserna är få.")
    assert "resurser" in result.theme_ids


def test_negated_matches_are_kept_and_marked(nlp):
    codings = code_one(nlp, "Sekretessen är inget problem.").codings
    assert len(codings) == 1 and codings[0]["negated"] is True


def test_kind_restricts_candidates(nlp):
    text = "Det ger förståelse."
    assert themes(nlp, text, "svarighet") == {"omsesidig-forstaelse"}
    assert themes(nlp, text, "positivt") == {"kunskap"}
    assert themes(nlp, text) == {"omsesidig-forstaelse", "kunskap"}


def test_spans_are_code_points_end_exclusive(nlp):
    text = "😊 Åh, tiden räcker inte."
    [c] = code_one(nlp, text).themes
    assert text[c["start"] : c["end"]] == "tiden" == c["text"]
    assert c["start"] == 6


def test_pipe_equals_single_calls(nlp):
    texts = ["Tiden räcker inte.", "Vi når ut till fler.", "Inget att tillägga."]
    batched = [r.codings for r in code_texts(nlp, [(str(i), t, None) for i, t in enumerate(texts)])]
    assert batched == [code_one(nlp, t).codings for t in texts]


def test_span_group(nlp):
    doc = nlp("Tiden räcker inte, sekretessen är inget problem.")
    assert [s.label_ for s in doc.spans["teman"]] == ["tid"]
    assert len(doc._.codings) == 2


def test_standalone_false_matches_only_in_compounds(nlp):
    # professionalitet's "krav" (standalone: false): "kvalitetskraven" counts, a bare "kraven" does not
    assert "professionalitet" in themes(nlp, "Kvalitetskraven är svåra att leva upp till.", "svarighet")
    assert "professionalitet" not in themes(nlp, "Kraven behöver bli mer likvärdiga.", "svarighet")
    assert "professionalitet" in themes(nlp, "Vi ställer höga krav på föreningarna.", "svarighet")


def test_form_counts_only_as_a_form_of_collaboration(nlp):
    assert "former-och-arbetssatt" in themes(nlp, "Det är oklart vilka former samverkan ska ha.", "svarighet")
    text = "Viljan att engagera sig finns, men formerna för hur folk vill bidra har ändrats."
    assert "former-och-arbetssatt" not in themes(nlp, text, "svarighet")


def test_lokal_as_noun_not_adjective(nlp):
    assert "lokaler" in themes(nlp, "Det finns för få lokaler.", "svarighet")
    assert "lokaler" in themes(nlp, "Samlingslokalerna är slitna.", "svarighet")
    assert "lokaler" not in themes(nlp, "De lokala föreningarna har svårt att hinna med.", "svarighet")


def test_myndighet_alone_is_not_a_boundary_problem(nlp):
    assert "myndighetsgranser" not in themes(nlp, "Myndigheterna betalar ut bidrag till organisationerna.", "svarighet")
    assert "myndighetsgranser" in themes(nlp, "Oklart vad vi får göra i vår myndighetsroll.", "svarighet")
