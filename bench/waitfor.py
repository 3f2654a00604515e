#!/usr/bin/env python3
"""bench/waitfor.py TIMEOUT CONDITION...: wait, in one process, until every CONDITION holds.

Prints the Unix time at which they all held first and exits 0, or exits 1 after TIMEOUT seconds.

  files:DIR[,DIR...]:N   at least N regular files under these folders (N = 0: none at all)
  sql:DATABASE:N:SQL     the first column of SQL's first row on DATABASE is at least N
                         (the database may not exist yet)

The benchmarks used to poll with one `python3 -c` (or `find`) per check. A Python start costs
about 80 ms of CPU on a two-core machine, which is a good part of a core taken from the server
under test, and the time between checks ran to 200 ms. This process starts once, keeps its
SQLite connections open and checks every 10 ms; the same loop watches Postfix's folders and
Fefaent's databases, so both servers pay the same for being watched.
"""
import os
import sqlite3
import sys
import time

INTERVAL = 0.01


def count_files(folders):
    total = 0
    for folder in folders:
        for _, _, names in os.walk(folder):
            total += len(names)
    return total


class Condition:
    def __init__(self, text):
        kind, rest = text.split(":", 1)
        self.kind = kind
        if kind == "files":
            folders, n = rest.rsplit(":", 1)
            self.folders, self.n = folders.split(","), int(n)
        elif kind == "sql":
            self.database, n, self.sql = rest.split(":", 2)
            self.n, self.connection = int(n), None
        else:
            raise SystemExit(f"waitfor.py: unknown condition {text!r}")

    def holds(self):
        if self.kind == "files":
            found = count_files(self.folders)
            return found == 0 if self.n == 0 else found >= self.n
        if self.connection is None:
            if not os.path.exists(self.database):
                return False
            self.connection = sqlite3.connect(self.database, timeout=30)
        try:
            row = self.connection.execute(self.sql).fetchone()
        except sqlite3.OperationalError:  # the table is not there yet
            return False
        return row is not None and row[0] is not None and row[0] >= self.n


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    deadline = time.monotonic() + float(sys.argv[1])
    pending = [Condition(text) for text in sys.argv[2:]]
    while time.monotonic() < deadline:
        pending = [condition for condition in pending if not condition.holds()]
        if not pending:
            print(f"{time.time():.6f}")
            return
        time.sleep(INTERVAL)
    sys.exit(1)


if __name__ == "__main__":
    main()
