"""The CSV source on the ways real files are written: dialects, encodings, headers, odd rows."""

from __future__ import annotations

import gzip
import logging

import numpy as np
import pandas as pd
import pytest

from dsio import SourceOptions
from dsio.errors import InputError
from dsio.sources.csv import CsvSource
from dsio.stream import TIME
from dsio.testing import read_frames

TIMES = [f"2024-03-01 08:00:{s:02d}" for s in range(60)]


def read(path, **options):
    """Open a file with the CSV source; return its SourceInfo and all its rows as one frame."""
    info, frames = read_frames(CsvSource(str(path), SourceOptions(**options)))
    return info, pd.concat(frames)


def write(tmp_path, text: str, name: str = "data.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter_is_sniffed(tmp_path, delimiter):
    rows = [delimiter.join(["stamp", "temp", "hum"])]
    rows += [delimiter.join([TIMES[i], f"{20 + i / 10:.1f}", str(40 + i)]) for i in range(8)]
    info, frame = read(write(tmp_path, "\n".join(rows) + "\n"))
    assert info.sensors == ("temp", "hum")
    assert frame.loc[3, "temp"] == 20.1
    assert frame.loc[9, "hum"] == 47.0


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_decimal_comma_is_sniffed_with_any_other_delimiter(tmp_path, delimiter):
    rows = [delimiter.join(["Zeit", "Druck", "Temperatur"])]
    rows += [delimiter.join([TIMES[i], f"1011,{i}", f"{i},25"]) for i in range(6)]
    info, frame = read(write(tmp_path, "\n".join(rows) + "\n"))
    assert info.time_field == "Zeit"
    assert frame["Druck"].tolist() == [1011.0, 1011.1, 1011.2, 1011.3, 1011.4, 1011.5]
    assert frame.loc[7, "Temperatur"] == 5.25


def test_bom_quoted_header_crlf_and_semicolons_together(tmp_path):
    text = '\ufeff"Zeit";"Wert A";"Wert B"\r\n'
    text += "".join(f'"{TIMES[i]}";{i},5;{i}\r\n' for i in range(5))
    info, frame = read(write(tmp_path, text))
    assert info.time_field == "Zeit"
    assert list(frame.columns) == [TIME, "Wert A", "Wert B"]
    assert frame.loc[6, "Wert A"] == 4.5


def test_quoted_numbers_with_thousands_separators(tmp_path):
    text = "time,power,count\n"
    text += f'{TIMES[0]},"1,234.5","12,000"\n{TIMES[1]},"2,000",7\n{TIMES[2]},17.25,"1,000,000"\n'
    _, frame = read(write(tmp_path, text))
    assert frame["power"].tolist() == [1234.5, 2000.0, 17.25]
    assert frame["count"].tolist() == [12000.0, 7.0, 1e6]


def test_grouped_numbers_with_a_decimal_comma(tmp_path):
    text = "Zeit;Leistung\n"
    text += f"{TIMES[0]};1.234,5\n{TIMES[1]};987,25\n{TIMES[2]};12 345,0\n"
    _, frame = read(write(tmp_path, text))
    assert frame["Leistung"].tolist() == [1234.5, 987.25, 12345.0]


def test_whole_numbers_grouped_with_points_in_a_decimal_comma_file(tmp_path):
    """``1.000.000`` proves the decimal comma; ``2.500`` is then 2500 in every block, also in a
    block where no cell has a comma."""
    rows = [("1.000.000", "0,5"), ("2.500", "1,5")] + [("3.250", "2")] * 5000
    text = "Zeit;Leistung;Menge\n" + "".join(
        f"2024-03-01 {i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d};{a};{b}\n"
        for i, (a, b) in enumerate(rows)
    )
    _, frame = read(write(tmp_path, text), chunk_rows=100)
    assert frame["Leistung"].tolist() == [1e6, 2500.0] + [3250.0] * 5000
    assert frame["Menge"].tolist() == [0.5, 1.5] + [2.0] * 5000


def test_points_grouping_whole_numbers_alone_decide_the_decimal_comma(tmp_path):
    text = f"Zeit;Zaehler\n{TIMES[0]};1.234\n{TIMES[1]};12.345\n{TIMES[2]};1.000.000\n"
    _, frame = read(write(tmp_path, text))
    assert frame["Zaehler"].tolist() == [1234.0, 12345.0, 1e6]


def test_blank_whitespace_and_all_empty_rows_anywhere_are_skipped_but_lines_kept(tmp_path):
    text = f"time,a,b\n{TIMES[0]},1,2\n\n{TIMES[1]},3,4\n   \n,,\n{TIMES[2]},5,6\n,,\n\n"
    _, frame = read(write(tmp_path, text))
    assert frame.index.tolist() == [2, 4, 7]
    assert frame["a"].tolist() == [1.0, 3.0, 5.0]


def test_rows_with_only_missing_sensors_are_kept(tmp_path):
    text = f"time,a,b\n{TIMES[0]},1,2\n{TIMES[1]},,\n{TIMES[2]},5,6\n"
    _, frame = read(write(tmp_path, text))
    assert frame.index.tolist() == [2, 3, 4]
    assert frame.loc[3, ["a", "b"]].isna().all()


@pytest.mark.parametrize(
    "header", ["time,temp,hum", "time,temp,hum,"], ids=["rows-only", "header-too"]
)
def test_trailing_delimiters_keep_columns_aligned(tmp_path, header):
    text = header + "\n" + "".join(f"{TIMES[i]},2{i}.5,4{i},\n" for i in range(5))
    info, frame = read(write(tmp_path, text))
    assert info.sensors == ("temp", "hum")
    assert frame.loc[2, "temp"] == 20.5
    assert frame.loc[2, "hum"] == 40.0
    assert frame[TIME].iloc[0] == pd.Timestamp(TIMES[0], tz="UTC")


def test_trailing_delimiter_on_some_rows_only(tmp_path):
    text = f"time,temp,hum\n{TIMES[0]},20.5,40,\n{TIMES[1]},21.5,41\n{TIMES[2]},22.5,42,\n"
    _, frame = read(write(tmp_path, text))
    assert frame["hum"].tolist() == [40.0, 41.0, 42.0]


@pytest.mark.parametrize(
    "index_name",
    ['""', "Unnamed: 0", "", "__index_level_0__", "Unnamed: 0.1", "Unnamed: 0_level_0"],
)
def test_an_unnamed_index_column_is_not_a_sensor(tmp_path, index_name):
    text = f"{index_name},time,speed\n" + "".join(f'"{i}",{TIMES[i]},{i * 3}\n' for i in range(6))
    info, _ = read(write(tmp_path, text))
    assert info.time_field == "time"
    assert info.sensors == ("speed",)


def test_a_datetime_index_written_by_pandas_is_the_time(tmp_path):
    """``df.to_csv()`` of a DataFrame with an unnamed DatetimeIndex: the times come first,
    under an empty name."""
    frame = pd.DataFrame(
        {"temp": [20.5, 20.7, 20.6]},
        index=pd.date_range("2024-03-01 09:00", periods=3, freq="min", tz="Europe/Berlin"),
    )
    path = tmp_path / "indexed.csv"
    frame.to_csv(path)
    info, read_back = read(path)
    assert info.time_field == ""
    assert info.sensors == ("temp",)
    assert read_back[TIME].tolist() == frame.index.tz_convert("UTC").tolist()


def test_a_row_counter_named_index_is_not_a_sensor(tmp_path):
    text = "index,time,speed\n" + "".join(f"{i},{TIMES[i]},{i % 3}\n" for i in range(6))
    info, _ = read(write(tmp_path, text))
    assert info.sensors == ("speed",)


def test_openxc_trace_is_read_with_its_epoch_seconds_and_twelve_sensors(shared):
    info, frame = read(shared("data", "openxc", "cardata_sample.csv"))
    assert info.time_field == "time"
    assert len(info.sensors) == 12 and "" not in info.sensors
    assert len(frame) == 1357
    first = pd.DatetimeIndex(frame[TIME]).asi8[0]
    assert first == 1369419697_399740000  # the fraction of 1369419697.39974 is kept


def test_excel_sep_line_names_the_delimiter(tmp_path):
    text = "sep=;\ntime;value\n" + "".join(f"{TIMES[i]};{i},5\n" for i in range(4))
    _, frame = read(write(tmp_path, text))
    assert frame["value"].tolist() == [0.5, 1.5, 2.5, 3.5]
    assert frame.index.tolist() == [3, 4, 5, 6]


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16", "utf-8-sig"])
def test_encodings_of_spreadsheet_exports(tmp_path, encoding):
    text = "Zeit;Temperatur °C\n" + "".join(f"{TIMES[i]};2{i},5\n" for i in range(4))
    info, frame = read(write(tmp_path, text, encoding=encoding))
    assert info.time_field == "Zeit"
    assert info.sensors == ("Temperatur °C",)
    assert frame["Temperatur °C"].tolist() == [20.5, 21.5, 22.5, 23.5]


def test_old_mac_line_ends(tmp_path):
    text = "time,v\r" + "".join(f"{TIMES[i]},{i}\r" for i in range(4))
    _, frame = read(write(tmp_path, text))
    assert frame.index.tolist() == [2, 3, 4, 5]


def test_a_line_break_inside_quotes_keeps_later_line_numbers_right(tmp_path):
    text = f'time,note,v\n{TIMES[0]},"two\nlines",1\n{TIMES[1]},ok,2\n{TIMES[2]},ok,3\n'
    info, frame = read(write(tmp_path, text))
    assert info.sensors == ("v",)
    assert frame.index.tolist() == [2, 4, 5]


def test_a_file_without_header_gets_column_names(tmp_path):
    text = "".join(f"{1709280000000 + i * 1000},{20 + i}.5,{i}\n" for i in range(5))
    info, frame = read(write(tmp_path, text))
    assert info.time_field == "column_1"
    assert info.sensors == ("column_2", "column_3")
    assert frame.index.tolist() == [1, 2, 3, 4, 5]
    assert frame[TIME].iloc[0] == pd.Timestamp("2024-03-01 08:00", tz="UTC")


def test_a_row_with_more_fields_than_the_header_is_an_error(tmp_path):
    text = f"time,a,b\n{TIMES[0]},1,2\n{TIMES[1]},1,2,3\n"
    with pytest.raises(InputError, match=r"data\.csv: 4 fields where the header has 3, line 3"):
        read(write(tmp_path, text))


def test_a_short_row_gets_missing_values_and_a_warning(tmp_path, caplog):
    text = f"time,a,b\n{TIMES[0]},1,2\n{TIMES[1]},3\n{TIMES[2]},4,5\n"
    with caplog.at_level(logging.WARNING):
        _, frame = read(write(tmp_path, text))
    assert frame["a"].tolist() == [1.0, 3.0, 4.0]
    assert np.isnan(frame.loc[3, "b"])
    (message,) = [r.getMessage() for r in caplog.records]
    assert "fewer fields" in message and "line 3" in message


def test_compressed_files_are_read(tmp_path):
    path = tmp_path / "data.csv.gz"
    path.write_bytes(gzip.compress(("time,v\n" + f"{TIMES[0]},1\n{TIMES[1]},2\n").encode()))
    info, frame = read(path)
    assert info.name == "data"
    assert frame["v"].tolist() == [1.0, 2.0]


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "the file is empty"), ("time,v\n", "no data rows"), (" \n\n", "the file is empty")],
)
def test_empty_inputs_are_errors(tmp_path, text, message):
    with pytest.raises(InputError, match=message):
        read(write(tmp_path, text))


def test_a_missing_file_is_an_error_naming_it(tmp_path):
    with pytest.raises(InputError, match=r"nope\.csv: no such file"):
        read(tmp_path / "nope.csv")


def test_the_source_is_registered_and_chosen_for_paths_and_stdin(host, tmp_path):
    from dsio.sources.csv import CsvSource as Registered
    from dsio.sources.frame import FrameSource

    def chosen(location):
        return next(e.factory for e in host.sources if e.factory.accepts(location))

    assert chosen(str(tmp_path / "x.csv")) is Registered
    assert chosen(tmp_path / "x.csv") is Registered
    assert chosen("-") is Registered
    assert chosen(pd.DataFrame({"a": [1.0]})) is FrameSource
    assert not Registered.accepts("kafka://broker/topic")


def test_a_repeated_header_row_from_joined_files_is_skipped_with_a_warning(tmp_path, caplog):
    part = "time;temp\n" + "".join(f"{TIMES[i]};{i},5\n" for i in range(3))
    with caplog.at_level(logging.WARNING):
        _, frame = read(write(tmp_path, part + part.replace("08:00:0", "08:01:0")))
    assert frame.index.tolist() == [2, 3, 4, 6, 7, 8]
    assert frame["temp"].tolist() == [0.5, 1.5, 2.5] * 2
    (message,) = [r.getMessage() for r in caplog.records]
    assert "repeated header" in message and "line 5" in message
