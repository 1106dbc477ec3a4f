from __future__ import annotations

import pytest

from clusterkg.loaders.values.durations import Phase, parse_duration


def test_since_is_open_ended():
    d = parse_duration("Since 2008")
    assert (d.start, d.end, d.open_ended) == ("2008", None, True)
    assert parse_duration("Continuous since 2003").start == "2003"
    assert parse_duration("Continuously since 2007").open_ended is True


def test_range():
    d = parse_duration("2014-2020")
    assert (d.start, d.end, d.open_ended, d.phases) == ("2014", "2020", False, ())


def test_two_ranges_are_phases():
    d = parse_duration("2015-2018 2019-2023")
    assert (d.start, d.end) == ("2015", "2023")
    assert d.phases == (Phase(1, "2015", "2018"), Phase(2, "2019", "2023"))


def test_france_numbered_phases():
    d = parse_duration("Since 2005 (3rd phase: 2013-2018) 2019-2022 (4th phase)")
    assert (d.start, d.end, d.open_ended) == ("2005", None, True)
    assert d.phases == (Phase(3, "2013", "2018"), Phase(4, "2019", "2022"))


def test_length_ranges():
    assert (parse_duration("1-7 years").min_years, parse_duration("1-7 years").max_years) == (1, 7)
    assert (parse_duration("2 years").min_years, parse_duration("2 years").max_years) == (2, 2)


def test_annually_keeps_only_the_raw_string():
    d = parse_duration("Annually")
    assert d.raw == "Annually" and d.start is None and d.open_ended is None


def test_open_range():
    assert parse_duration("2010-").start == "2010"


@pytest.mark.parametrize("raw", ["2014-2O20", "soon", "2014 to 2020"])
def test_unknown_forms_raise(raw):
    with pytest.raises(ValueError):
        parse_duration(raw)
