"""The database the Python API tests give `bograph serve`: a SQLite file in
the test's directory, or, when BOGRAPH_TEST_PG_URI_FILE names the test
cluster's URI (the *_pg ctest runs), a fresh PostgreSQL database made with
psql and dropped when the test process ends."""
import atexit
import os
import subprocess
import uuid


def _psql(uri, sql):
    subprocess.run(["psql", uri, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True,
                   stdout=subprocess.DEVNULL)


def database(tmp, name):
    """The --db argument for a server called name (tmp: the test's directory)."""
    uri_file = os.environ.get("BOGRAPH_TEST_PG_URI_FILE")
    if not uri_file:
        return os.path.join(tmp, name + ".db")
    with open(uri_file) as f:
        base = f.read().strip()
    db = "bgpy_%d_%s" % (os.getpid(), uuid.uuid4().hex[:8])
    _psql(base, "CREATE DATABASE " + db)
    atexit.register(_psql, base, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % db)
    return base.rsplit("/", 1)[0] + "/" + db
