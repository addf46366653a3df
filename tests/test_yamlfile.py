import pytest

from ingest.yamlfile import LINE_KEY, read_yaml
from kb.core.errors import InputErrors


def test_lines_are_recorded_and_dates_stay_text(tmp_path):
    path = tmp_path / "a.yml"
    path.write_text("- name: A\n  last_verified: 2024-02-30\n- name: B\n", encoding="utf-8")
    data = read_yaml(path)
    assert data[0]["last_verified"] == "2024-02-30"
    assert (data[0][LINE_KEY], data[1][LINE_KEY]) == (1, 3)


def test_a_duplicate_key_is_an_error_naming_the_line(tmp_path):
    path = tmp_path / "b.yml"
    path.write_text("- name: A\n  name: B\n", encoding="utf-8")
    with pytest.raises(InputErrors) as caught:
        read_yaml(path)
    assert "b.yml, rad 2" in str(caught.value) and "två gånger" in str(caught.value)
