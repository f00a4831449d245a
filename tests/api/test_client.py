#!/usr/bin/env python3
"""API test of the Python client (clients/python/bograph_client.py): starts a
real `bograph serve` on a free loopback port with a temporary SQLite file and
calls every public method of Client against it, with the answers checked and
the error cases (400 with the offending field, 404, 409, 401, an unreachable
service) raised as BographError. The structure test tunes a small synthetic
system (x1 -> lat, x2 -> energy, objective edp = lat * energy) with a
"bograph" study and checks the graph's nodes and expert edges.

usage: test_client.py BOGRAPH_BIN REPO_ROOT
"""
import os
import subprocess
import sys
import tempfile
import unittest

BOGRAPH, ROOT = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))
from bograph_client import BographError, Client  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from apitest_db import database  # noqa: E402

SPACE3 = [{"name": n, "type": "float", "low": 0, "high": 1} for n in ("x1", "x2", "x3")]
CALLED = set()


class TracedClient(Client):
    """A Client that records which of its public methods the tests call."""

    def __getattribute__(self, name):
        attr = object.__getattribute__(self, name)
        if not name.startswith("_") and callable(attr):
            CALLED.add(name)
        return attr


def system_run(p):
    """The synthetic system: three parameters, two metrics, their product."""
    lat = 1.0 + 4.0 * (p["x1"] - 0.3) ** 2 + 0.3 * p["x3"]
    energy = 2.0 + 3.0 * (p["x2"] - 0.7) ** 2 + 0.2 * p["x3"]
    return {"lat": lat, "energy": energy, "edp": lat * energy}


class Server:
    """`bograph serve` as a child process on a free port."""

    def __init__(self, tmp, name, args=()):
        self.log = open(os.path.join(tmp, name + ".log"), "w")
        self.proc = subprocess.Popen(
            [BOGRAPH, "serve", "--db", database(tmp, name), "--port", "0",
             "--quiet"] + list(args),
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        self.url = line.strip().split(" on ")[-1].rstrip("/")
        if not self.url.startswith("http://127.0.0.1:"):
            self.stop()
            raise RuntimeError("bograph serve did not start: %r" % line)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()
        return self.proc.returncode


class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.srv = Server(cls.tmp.name, "main")
        cls.c = TracedClient(cls.srv.url, retries=0)

    @classmethod
    def tearDownClass(cls):
        rc = cls.srv.stop()
        cls.tmp.cleanup()
        assert rc == 0, "server exited %d" % rc

    def assertApiError(self, status, code, fn, *args, field=None, **kw):
        with self.assertRaises(BographError) as cm:
            fn(*args, **kw)
        e = cm.exception
        self.assertEqual((e.status, e.code), (status, code), str(e))
        if field is not None:
            self.assertEqual(e.field, field, str(e))
        return e

    def new_study(self, name, **fields):
        fields.setdefault("parameters", SPACE3)
        fields.setdefault("objective", {"name": "edp", "goal": "minimize"})
        return self.c.create_study(name, **fields)

    # -- studies ----------------------------------------------------------

    def test_studies(self):
        c = self.c
        s = self.new_study("studies", algorithm="random", budget=5, seed=3,
                           default={"x1": 0.5, "x2": 0.5, "x3": 0.5})
        self.assertEqual(s["name"], "studies")
        self.assertEqual(s["state"], "active")
        self.assertEqual([p["name"] for p in s["parameters"]], ["x1", "x2", "x3"])
        again = self.new_study("studies", if_exists="return")
        self.assertEqual(again["id"], s["id"])
        self.assertApiError(409, "conflict", self.new_study, "studies", if_exists="error")
        self.assertIn(s["id"], [x["id"] for x in c.studies()])
        self.assertEqual(c.study(s["id"])["budget"], 5)
        # a bad parameter is a 400 naming it
        bad = [{"name": "x", "type": "float", "low": 1, "high": 0}]
        self.assertApiError(400, "invalid_argument", c.create_study, "bad", parameters=bad,
                            objective={"name": "y"}, field="parameters[0].high")
        c.delete_study(s["id"])
        self.assertApiError(404, "not_found", c.study, s["id"])
        self.assertNotIn(s["id"], [x["id"] for x in c.studies()])

    def test_unknown_study(self):
        c = self.c
        for fn, args in ((c.study, ()), (c.best, ()), (c.importance, ()), (c.structure, ()),
                         (c.set_knowledge, ({},)), (c.suggest, ()), (c.trial, ("1",)),
                         (c.delete_study, ())):
            self.assertApiError(404, "not_found", fn, "999999", *args)
        self.assertApiError(404, "not_found", lambda: list(c.trials("999999")))
        self.assertApiError(404, "not_found", c.complete, "999999", "1", metrics={"edp": 1})

    # -- trials -----------------------------------------------------------

    def test_trials(self):
        c = self.c
        default = {"x1": 0.9, "x2": 0.1, "x3": 0.9}
        s = self.new_study("trials", algorithm="random", budget=6, seed=1, default=default,
                           lease_seconds=60)
        sid = s["id"]
        trials, done = c.suggest(sid, count=2, worker="w1")
        self.assertFalse(done)
        self.assertEqual(len(trials), 2)
        self.assertEqual(trials[0]["params"], default)
        self.assertTrue(trials[0]["is_default"])
        self.assertNotEqual(trials[0]["params"], trials[1]["params"])
        # the same worker asking again gets the trials it holds
        held, _ = c.suggest(sid, count=2, worker="w1")
        self.assertEqual(sorted(t["id"] for t in held), sorted(t["id"] for t in trials))
        t0, t1 = trials
        hb = c.heartbeat(sid, t1["id"])
        self.assertEqual(hb["state"], "active")
        done0 = c.complete(sid, t0["id"], metrics=system_run(t0["params"]))
        self.assertEqual(done0["state"], "completed")
        self.assertAlmostEqual(done0["objective"], system_run(default)["edp"])
        # completing again: the same result is a no-op, a different one a conflict
        c.complete(sid, t0["id"], metrics=system_run(t0["params"]))
        self.assertApiError(409, "conflict", c.complete, sid, t0["id"], metrics={"edp": 0.0})
        self.assertApiError(409, "conflict", c.heartbeat, sid, t0["id"])
        # the objective is required unless the logs give it
        self.assertApiError(400, "invalid_argument", c.complete, sid, t1["id"],
                            metrics={"lat": 1.0})
        failed = c.fail(sid, t1["id"], reason="out of memory", infeasible=True)
        self.assertEqual(failed["state"], "infeasible")
        self.assertEqual(c.trial(sid, t1["id"])["reason"], "out of memory")
        # metrics from raw logs
        (t2,), _ = c.suggest(sid, worker="w2")
        c.complete(sid, t2["id"], logs="edp=2.5\nlat=1.25\n", log_format="keyvalue")
        one = c.trial(sid, t2["id"])
        self.assertEqual(one["metrics"]["lat"], 1.25)
        self.assertEqual(one["objective"], 2.5)
        self.assertIn("edp=2.5", one["logs"])
        (t3,), _ = c.suggest(sid, worker="w2")
        self.assertEqual(c.fail(sid, t3["id"], reason="node rebooted")["state"], "failed")
        # warm start; out-of-space parameters are a 400 naming the parameter
        imported = c.add_trial(sid, {"x1": 0.3, "x2": 0.7, "x3": 0.0},
                               metrics={"edp": 2.0, "lat": 1.0})
        self.assertEqual(imported["state"], "completed")
        self.assertApiError(400, "invalid_argument", c.add_trial, sid,
                            {"x1": 2.0, "x2": 0.7, "x3": 0.0}, {"edp": 1.0}, field="params.x1")
        with self.assertRaises(ValueError):
            c.add_trial(sid, {"x1": 0.1, "x2": 0.1, "x3": 0.1}, {"edp": float("nan")})
        # listing: all pages, by seq; by state
        listed = list(c.trials(sid, page=2))
        self.assertEqual(len(listed), 5)
        seqs = [t["seq"] for t in listed]
        self.assertEqual(seqs, sorted(seqs))
        completed = list(c.trials(sid, state="completed"))
        self.assertEqual(sorted(t["id"] for t in completed),
                         sorted([t0["id"], t2["id"], imported["id"]]))
        best = c.best(sid)
        self.assertEqual(best["best"]["id"], imported["id"])
        self.assertEqual(best["default"]["id"], t0["id"])
        # the budget of 6: one more finished trial and the study is done
        (t4,), _ = c.suggest(sid, worker="w3")
        c.complete(sid, t4["id"], metrics=system_run(t4["params"]))
        trials, done = c.suggest(sid, count=3, worker="w3")
        self.assertEqual((trials, done), ([], True))
        self.assertEqual(c.study(sid)["state"], "done")

    def test_importance(self):
        c = self.c
        s = self.new_study("importance", algorithm="random", seed=2)
        self.assertApiError(404, "not_found", c.importance, s["id"])
        for i in range(8):
            p = {"x1": i / 7.0, "x2": (i * 3 % 8) / 7.0, "x3": (i * 5 % 8) / 7.0}
            c.add_trial(s["id"], p, metrics=system_run(p))
        imp = c.importance(s["id"])
        names = [x["name"] for x in imp["importance"]]
        self.assertEqual(sorted(names), ["x1", "x2", "x3"])
        self.assertAlmostEqual(sum(x["value"] for x in imp["importance"]), 1.0, places=6)
        self.assertEqual(imp["at_trial"], 8)

    # -- structure and knowledge ------------------------------------------

    def test_structure_and_knowledge(self):
        c = self.c
        s = self.new_study("structure", algorithm="bograph", budget=30, seed=5,
                           knowledge={"edges": [["x1", "lat"]]})
        sid = s["id"]
        for _ in range(12):
            (t,), done = c.suggest(sid, worker="w")
            self.assertFalse(done)
            c.complete(sid, t["id"], metrics=system_run(t["params"]))
        g = c.structure(sid)
        kinds = {n["name"]: n["kind"] for n in g["nodes"]}
        for p in ("x1", "x2", "x3"):
            self.assertEqual(kinds.get(p), "param", g)
        self.assertEqual(kinds.get("edp"), "objective", g)
        self.assertEqual(kinds.get("lat"), "metric", g)
        self.assertEqual(kinds.get("energy"), "metric", g)
        self.assertGreater(g["learned_at_trial"], 0, g)
        self.assertEqual(g["algorithm"], "notears")
        edges = {(e["from"], e["to"]): e for e in g["edges"]}
        self.assertEqual(edges[("x1", "lat")]["source"], "expert", g)
        for e in g["edges"]:
            self.assertIn(e["source"], ("learned", "expert"))
            self.assertIn(e["from"], kinds)
            self.assertIn(e["to"], kinds)
        # replace the knowledge: stored, and the expert edges follow it
        k = {"edges": [["x2", "energy"]], "forbidden": [["x3", "edp"]],
             "models": {"edp": "lat * energy"}}
        study = c.set_knowledge(sid, k)
        self.assertEqual(study["id"], sid)
        self.assertEqual(study["knowledge"]["edges"], [["x2", "energy"]])
        self.assertEqual(c.study(sid)["knowledge"]["models"], {"edp": "lat * energy"})
        g = c.structure(sid)
        expert = {(e["from"], e["to"]) for e in g["edges"] if e["source"] == "expert"}
        self.assertIn(("x2", "energy"), expert)
        self.assertNotIn(("x1", "lat"), expert)
        self.assertNotIn(("x3", "edp"), {(e["from"], e["to"]) for e in g["edges"]})
        # bad knowledge: 400 with the entry as field, and nothing changes
        before = c.study(sid)["knowledge"]
        for kw, field in (({"edges": [["x1", "lat"], ["lat", "x2"]]}, "knowledge.edges[1]"),
                          ({"edges": [["edp", "lat"]]}, "knowledge.edges[0]"),
                          ({"models": {"edp": "lat * (energy"}}, "knowledge.models.edp"),
                          ({"forbidden": "x1"}, "knowledge.forbidden"),
                          ({"knowledge": {"hints": []}}, "knowledge.hints")):
            self.assertApiError(400, "invalid_argument", c.set_knowledge, sid, field=field, **kw)
            self.assertEqual(c.study(sid)["knowledge"], before)
        # keywords over a whole knowledge object; nothing given clears it
        study = c.set_knowledge(sid, k, models={})
        self.assertEqual(study["knowledge"]["models"], {})
        self.assertEqual(study["knowledge"]["edges"], [["x2", "energy"]])
        cleared = c.set_knowledge(sid)["knowledge"]
        self.assertFalse(cleared and any(cleared.get(x) for x in ("edges", "forbidden", "models")),
                         cleared)
        # the next suggestion still works with the new knowledge
        (t,), _ = c.suggest(sid, worker="w")
        self.assertEqual(sorted(t["params"]), ["x1", "x2", "x3"])

    # -- plugins and service ----------------------------------------------

    def test_plugins(self):
        c = self.c
        names = [p["name"] for p in c.plugins()]
        for want in ("rocksdb", "accelerator", "partition", "command"):
            self.assertIn(want, names)
        acc = c.plugin("accelerator")
        self.assertEqual(acc["name"], "accelerator")
        self.assertEqual(acc["objective"]["name"], "edp")
        self.assertGreaterEqual(len(acc["parameters"]), 6)
        self.assertIn("knowledge", acc)
        self.assertApiError(404, "not_found", c.plugin, "nope")
        # a study of a plugin takes its space and objective
        s = c.create_study("plugin-study", plugin="accelerator")
        self.assertEqual(s["objective"]["name"], "edp")
        self.assertEqual(len(s["parameters"]), len(acc["parameters"]))
        self.assertApiError(404, "not_found", c.create_study, "no-plugin", plugin="nope")

    def test_service(self):
        c = self.c
        self.assertEqual(c.healthz()["status"], "ok")
        self.assertEqual(c.healthz()["database"], "ok")
        text = c.metrics()
        self.assertIsInstance(text, str)
        self.assertIn("bograph_http_requests_total", text)
        self.assertIn('bograph_trials{state="completed"}', text)
        doc = c.openapi()
        self.assertTrue(doc["openapi"].startswith("3."))
        for path in ("/v1/studies/{id}/structure", "/v1/studies/{id}/knowledge",
                     "/v1/plugins", "/v1/plugins/{name}", "/v1/studies/{id}/importance"):
            self.assertIn(path, doc["paths"])
        # a route that does not exist, and a wrong verb, through request()
        self.assertApiError(404, "not_found", c.request, "GET", "/v1/nothing")
        self.assertApiError(405, "method_not_allowed", c.request, "POST", "/v1/plugins", {})

    def test_token(self):
        srv = Server(self.tmp.name, "token", ["--token", "s3cret"])
        try:
            anon = Client(srv.url, retries=0)
            self.assertEqual(anon.healthz()["status"], "ok")
            self.assertApiError(401, "unauthenticated", anon.studies)
            self.assertApiError(401, "unauthenticated", anon.plugins)
            self.assertApiError(401, "unauthenticated", anon.metrics)
            authed = Client(srv.url, token="s3cret", retries=0)
            self.assertEqual(authed.studies(), [])
            self.assertIn("rocksdb", [p["name"] for p in authed.plugins()])
        finally:
            self.assertEqual(srv.stop(), 0)
        # the service is gone: status 0, "unreachable"
        e = self.assertApiError(0, "unreachable", Client(srv.url, retries=1).healthz)
        self.assertIn(srv.url, e.message)


class StudyMethods(unittest.TestCase):
    """The v1.1 methods once each (test_client_study.py tests them in depth)."""

    def test_v11_methods(self):
        with tempfile.TemporaryDirectory() as tmp:
            srv = Server(tmp, "v11")
            try:
                c = TracedClient(srv.url, retries=0)
                s = c.create_study("v11", parameters=SPACE3, objective={"name": "edp",
                                   "goal": "minimize"}, algorithm="random", budget=3)
                self.assertEqual(c.update_study(s["id"], budget=4)["budget"], 4)
                got = c.import_trials(s["id"], [{"params": {"x1": 0.5, "x2": 0.5, "x3": 0.5},
                                                 "metrics": system_run({"x1": 0.5, "x2": 0.5,
                                                                        "x3": 0.5}), "key": "a"}])
                self.assertEqual(got["created"], 1)
                self.assertIn("edp", c.export_csv(s["id"]).splitlines()[0])
                self.assertEqual(len(c.ask(s["id"], count=1, worker="w")["trials"]), 1)
                done = c.optimize(s["id"], lambda t: system_run(t.params), worker="w")
                self.assertEqual(len(done), 3)
                pred = c.predict(s["id"], {"x1": 0.1, "x2": 0.2, "x3": 0.3})
                self.assertEqual(pred["model"], "gp")
                self.assertGreater(pred["objective"]["sd"], 0)
            finally:
                self.assertEqual(srv.stop(), 0)


class Coverage(unittest.TestCase):
    def test_every_method_called(self):
        public = {n for n in dir(Client) if not n.startswith("_") and callable(getattr(Client, n))}
        self.assertEqual(public - CALLED, set())


if __name__ == "__main__":
    # Coverage runs last: unittest orders classes by name, so name it explicitly.
    loader = unittest.TestLoader()
    suite = unittest.TestSuite([loader.loadTestsFromTestCase(ClientTest),
                                loader.loadTestsFromTestCase(StudyMethods),
                                loader.loadTestsFromTestCase(Coverage)])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)
