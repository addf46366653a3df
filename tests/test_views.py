"""Each report view on a small hand-made response fixture, where the answer is known by hand."""

import pytest

FIXTURE_ROUND = 2099


@pytest.fixture
def fixture_db(built_db):
    db = built_db
    db["sources"].insert({"id": "fixture", "kind": "test", "title": "hand-made fixture"})
    db["rounds"].insert({"round": FIXTURE_ROUND, "title": "fixture", "departments": 3, "source_id": "fixture"})
    departments = ["miljokontoret", "stadsbyggnad", "kommunstyrelseforvaltningen"]
    db["responses"].insert_all(
        {"round": FIXTURE_ROUND, "department_id": d, "respondents": 1, "source_id": "fixture"} for d in departments
    )
    rows = [
        ("miljokontoret", "natverk", "informationsutbyte"),
        ("stadsbyggnad", "natverk", "informationsutbyte"),
        ("stadsbyggnad", "natverk", "kunskapsutbyte"),
        ("stadsbyggnad", "idrottsforening", "avtal-kontrakt"),
        ("kommunstyrelseforvaltningen", "natverk", "avtal-kontrakt"),
    ]
    db["collaborations"].insert_all(
        {"round": FIXTURE_ROUND, "department_id": d, "category_id": c, "form_id": f, "source_id": "fixture"}
        for d, c, f in rows
    )
    db["department_goal_areas"].insert_all(
        {"round": FIXTURE_ROUND, "department_id": d, "goal_area_id": g, "source_id": "fixture"}
        for d, g in [("miljokontoret", "klimat"), ("stadsbyggnad", "klimat"), ("stadsbyggnad", "vatten")]
    )
    db["funding"].insert_all(
        [
            {
                "round": FIXTURE_ROUND,
                "department_id": "stadsbyggnad",
                "amount_sek": 1000,
                "status": "rapporterad",
                "source_id": "fixture",
            },
            {
                "round": FIXTURE_ROUND,
                "department_id": "miljokontoret",
                "amount_sek": None,
                "status": "streck",
                "source_id": "fixture",
            },
        ]
    )
    db["staffed_share"].insert(
        {
            "round": FIXTURE_ROUND,
            "department_id": "stadsbyggnad",
            "share_percent": 30.0,
            "status": "rapporterad",
            "source_id": "fixture",
        }
    )
    return db


def rows(db, view):
    return {
        r.get("category_id") or r.get("form_id") or r.get("goal_area_id") or r["department_id"]: r
        for r in db.query(f"SELECT * FROM {view} WHERE round = ?", [FIXTURE_ROUND])
    }


def test_table1_and_2(fixture_db):
    t1 = rows(fixture_db, "table1_departments_per_category")
    assert len(t1) == 15
    assert t1["natverk"]["departments"] == 3
    assert t1["idrottsforening"]["departments"] == 1
    assert t1["socialt-foretag"]["departments"] == 0
    t2 = rows(fixture_db, "table2_forms_per_category")
    assert (t2["natverk"]["departments"], t2["natverk"]["forms"]) == (3, 3)


def test_table3_and_4_averages(fixture_db):
    t3 = rows(fixture_db, "table3_average_per_category")
    assert t3["natverk"]["reported_forms"] == 4
    assert t3["natverk"]["average_all"] == pytest.approx(1.3)  # 4 / 3 departments in the round
    t4 = rows(fixture_db, "table4_average_per_collaborating")
    assert t4["natverk"]["average_collaborating"] == pytest.approx(1.3)  # 4 / 3 collaborating
    assert t4["idrottsforening"]["average_collaborating"] == 1
    assert t4["socialt-foretag"]["average_collaborating"] is None


def test_table5_and_6(fixture_db):
    t5 = rows(fixture_db, "table5_reports_per_form")
    assert len(t5) == 14
    assert t5["informationsutbyte"]["reported"] == 2
    assert t5["avtal-kontrakt"]["reported"] == 2
    assert t5["samverkan-runt-individ"]["reported"] == 0
    t6 = rows(fixture_db, "table6_departments_per_goal_area")
    assert len(t6) == 17
    assert (t6["klimat"]["departments"], t6["vatten"]["departments"], t6["cirkular-ekonomi"]["departments"]) == (
        2,
        1,
        0,
    )


def test_tables_7_and_8(fixture_db):
    t7 = rows(fixture_db, "table7_funding")
    assert t7["stadsbyggnad"]["amount_sek"] == 1000
    assert t7["miljokontoret"]["status"] == "streck" and t7["miljokontoret"]["amount_sek"] is None
    t8 = rows(fixture_db, "table8_staffed_share")
    assert t8["stadsbyggnad"]["share_percent"] == 30.0


def test_diagram1(fixture_db):
    d1 = rows(fixture_db, "diagram1_department_overview")
    assert set(d1) == {"miljokontoret", "stadsbyggnad", "kommunstyrelseforvaltningen"}
    assert (d1["stadsbyggnad"]["categories"], d1["stadsbyggnad"]["forms"], d1["stadsbyggnad"]["reported_forms"]) == (
        2,
        3,
        3,
    )


def test_view_filter_on_round_as_text(fixture_db):
    """Datasette passes ?round=2099 as text: the view's round column must still match."""
    count = fixture_db.execute(
        "SELECT COUNT(*) FROM table1_departments_per_category WHERE round = ?", [str(FIXTURE_ROUND)]
    ).fetchone()[0]
    assert count == 15
