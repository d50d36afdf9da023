#!/usr/bin/env python3
"""Turns the part of PostgreSQL's statement log between two markers into a pgbench script.

    replay.py LOG BEGIN_MARK END_MARK DATABASE [--write] > script.sql

The log must be written with `log_statement = all` and a `log_line_prefix` that names the
process and the database (Debian's default `%m [%p] %q%u@%d ` does). Every statement the
service sent for the request, in order, becomes one line of the script with its bind parameters
written in as the literals PostgreSQL logged for them, so pgbench runs the same SQL the service
did. With --write the script ends in ROLLBACK where the service committed: the replay can then
run again and again without meeting its own rows. The ceiling it measures leaves out the
commit's WAL flush, so a write's share against it is, if anything, too low.

Prints the number of statements to stderr: 0 when the request sent none (a kept answer whose
revision the service had heard), an error when the markers are not both in the log.
"""

import re
import sys

LINE = re.compile(r"^\S+ \S+ \S+ \[\d+\] (?:\S+@(?P<db>\S+) )?(?P<level>[A-Z]+):  (?P<text>.*)$")
STATEMENT = re.compile(r"^(?:statement|execute [^:]+): (?P<sql>.*)$", re.S)
PARAMETER = re.compile(r"\$(?P<n>\d+) = (?P<value>NULL|'(?:[^']|'')*')")
PLACEHOLDER = re.compile(r"\$(\d+)\b")


def literal(logged):
    """A logged parameter as a constant pgbench passes through untouched: pgbench takes every
    `:name` for one of its variables, even inside quotes, so a colon is written as a Unicode
    escape (`U&'…\\003A…'` is still a string constant of unknown type, as a bound value is)."""
    if ":" not in logged:
        return logged
    return "U&" + logged.replace("\\", "\\\\").replace(":", "\\003A")


def entries(lines, database):
    """The log's entries of `database`, continuation lines joined, as (level, text)."""
    current = None
    for raw in lines:
        raw = raw.rstrip("\n")
        m = LINE.match(raw)
        if m:
            if current:
                yield current
            current = None
            if m["db"] == database:
                current = [m["level"], m["text"]]
        elif current and raw.startswith("\t"):
            current[1] += "\n" + raw[1:]
    if current:
        yield current


def statements(lines, database, begin, end):
    """The statements between the markers, with their parameters bound, in log order."""
    out, inside, pending = [], False, None
    for level, text in entries(lines, database):
        if begin in text:
            inside = True
            continue
        if end in text:
            return out + ([pending] if pending else [])
        if not inside:
            continue
        if level == "LOG":
            m = STATEMENT.match(text)
            if m:
                if pending:
                    out.append(pending)
                pending = m["sql"].strip()
        elif level == "DETAIL" and text.startswith("parameters: ") and pending:
            values = {int(p["n"]): p["value"] for p in PARAMETER.finditer(text)}
            pending = PLACEHOLDER.sub(lambda p: literal(values[int(p.group(1))]), pending)
    return None


def main():
    log, begin, end, database = sys.argv[1:5]
    write = "--write" in sys.argv[5:]
    with open(log, encoding="utf-8", errors="replace") as f:
        found = statements(f, database, begin, end)
    if found is None:
        sys.exit(f"the markers of {database} are not both in {log}")
    for sql in found:
        if write and sql.upper() == "COMMIT":
            sql = "ROLLBACK"
        # pgbench reads a command up to its semicolon, across lines.
        print(sql.rstrip().rstrip(";") + ";")
    print(len(found), file=sys.stderr)


if __name__ == "__main__":
    main()
