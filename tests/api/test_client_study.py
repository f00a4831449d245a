#!/usr/bin/env python3
"""API test of the v1.1 study features through the Python client, against a
real `bograph serve` on a free loopback port with a temporary SQLite file:
Study.optimize (n_jobs threads, Infeasible, report, a failing objective,
waiting on retry_after_seconds while another worker holds the budget),
PATCH (budget, name, state; the budget counts every trial started, expired
ones included), bulk and idempotent imports, the CSV export,
predict and the explanation of model-proposed trials, numbers in their
shortest form, a plugin's parameters copied into a study as they are, and a
study of several objectives (optimize with a tuple of values, best_trials as
the Pareto set, a 400 for a completion lacking one, predict per objective).

usage: test_client_study.py BOGRAPH_BIN REPO_ROOT
"""
import csv
import io
import json
import os
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

BOGRAPH, ROOT = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bograph_client import BographError, Client, Infeasible  # noqa: E402
from test_client import Server  # noqa: E402

X = [{"name": "x", "type": "float", "low": -5, "high": 10}]
LOSS = {"name": "loss", "goal": "minimize"}


class StudyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.srv = Server(cls.tmp.name, "study")
        cls.c = Client(cls.srv.url, retries=0)

    @classmethod
    def tearDownClass(cls):
        rc = cls.srv.stop()
        cls.tmp.cleanup()
        assert rc == 0, "server exited %d" % rc

    def raw(self, path):
        with urllib.request.urlopen(self.srv.url + path, timeout=60) as r:
            return r.read().decode()

    def api_error(self, status, fn, *args, **kw):
        with self.assertRaises(BographError) as cm:
            fn(*args, **kw)
        self.assertEqual(cm.exception.status, status, cm.exception)
        return cm.exception

    def test_optimize_jobs(self):
        study = self.c.create_study("opt", parameters=X + [
            {"name": "mode", "type": "categorical", "choices": ["a", "b"]}],
            objective=LOSS, algorithm="gp", budget=12)
        seen = set()

        def objective(trial):
            seen.add(threading.current_thread().name)
            if trial["mode"] == "b" and trial["x"] > 8:
                raise Infeasible("too big")
            trial.report("half", trial["x"] / 2)
            return (trial["x"] - 2) ** 2 + (trial["mode"] == "b")

        done = study.optimize(objective, n_trials=12, n_jobs=2)
        self.assertEqual(len(done), 12)
        self.assertEqual(len(seen), 2)
        now = self.c.study(study["id"])
        self.assertEqual(now["state"], "done")
        c = now["counts"]
        self.assertEqual(c["completed"] + c["infeasible"], 12)
        workers = {t["worker"] for t in study.trials()}
        self.assertEqual(len(workers), 2, workers)
        for t in study.trials(state="completed"):
            self.assertAlmostEqual(t["metrics"]["half"], t["params"]["x"] / 2)
        self.assertLess(study.best_trial["objective"], 10)
        # n_trials counts the trials of this call; a spent budget ends it early
        self.assertEqual(study.optimize(objective, n_trials=5), [])

    def test_parameter_constraints(self):
        xy = X + [{"name": "y", "type": "float", "low": 0, "high": 1}]
        with self.assertRaises(BographError) as cm:
            self.c.create_study("pc-bad", parameters=xy, objective=LOSS,
                                parameter_constraints=["x + y <= 1", "x + z <= 1"])
        self.assertEqual(cm.exception.status, 400)
        self.assertEqual(cm.exception.field, "parameter_constraints[1]")
        study = self.c.create_study("pc", parameters=xy, objective=LOSS, algorithm="gp",
                                    parameter_constraints=["x + 4 * y <= 0"], budget=12)
        self.assertEqual(study["parameter_constraints"], ["x + 4 * y <= 0"])
        seen = []

        def objective(trial):
            seen.append((trial["x"], trial["y"]))
            return -trial["x"] - trial["y"]

        study.optimize(objective, n_trials=12)
        self.assertEqual(len(seen), 12)
        for x, y in seen:
            self.assertLessEqual(x + 4 * y, 0)

    def test_conditional_parameters(self):
        """A condition passes through create_study as given; a trial holds
        only its active parameters (in, get); an inactive one in an import
        is a 400 naming it."""
        study = self.c.create_study("cond", parameters=[
            {"name": "opt", "type": "categorical", "choices": ["sgd", "adam"]},
            {"name": "momentum", "type": "float", "low": 0, "high": 0.99,
             "condition": {"parameter": "opt", "values": ["sgd"]}}],
            objective=LOSS, algorithm="random", budget=8)
        self.assertEqual(study["parameters"][1]["condition"],
                         {"parameter": "opt", "values": ["sgd"]})

        def objective(trial):
            self.assertEqual("momentum" in trial, trial["opt"] == "sgd")
            return trial.get("momentum", 0.5)

        self.assertEqual(len(study.optimize(objective, n_trials=8)), 8)
        e = self.api_error(400, self.c.add_trial, study["id"],
                           {"opt": "adam", "momentum": 0.1}, metrics={"loss": 1})
        self.assertEqual(e.field, "params.momentum")

    def test_optimize_raises_objective_error(self):
        study = self.c.create_study("opt-err", parameters=X, objective=LOSS, algorithm="random",
                                    budget=10)

        def objective(trial):
            if trial.number == 3:
                raise ZeroDivisionError("boom")
            return trial["x"]

        with self.assertRaises(ZeroDivisionError):
            study.optimize(objective, n_trials=10)
        failed = study.trials(state="failed")
        self.assertEqual(len(failed), 1)
        self.assertIn("ZeroDivisionError: boom", failed[0]["reason"])
        # with catch, the failure is reported and optimize goes on
        done = study.optimize(objective, catch=(ZeroDivisionError,))
        self.assertEqual(self.c.study(study["id"])["state"], "done")
        self.assertEqual(len(done), 10 - 3)

    def test_retry_after_while_others_hold_the_budget(self):
        study = self.c.create_study("busy", parameters=X, objective=LOSS, algorithm="random",
                                    budget=2, lease_seconds=60)
        held, _ = self.c.suggest(study["id"], count=2, worker="a")
        self.assertEqual(len(held), 2)
        ans = self.c.ask(study["id"], worker="b")
        self.assertEqual(ans["trials"], [])
        self.assertFalse(ans["done"])
        self.assertGreaterEqual(ans["retry_after_seconds"], 1)
        self.assertLessEqual(ans["retry_after_seconds"], 60)
        # optimize waits (rather than returning) until the holder finishes
        out = {}
        t = threading.Thread(target=lambda: out.setdefault(
            "r", study.optimize(lambda tr: 1.0, worker="b")))
        t.start()
        time.sleep(1.5)
        self.assertTrue(t.is_alive(), "optimize returned while the budget was held")
        for tr in held:
            self.c.complete(study["id"], tr["id"], metrics={"loss": 1.0})
        t.join(timeout=60)
        self.assertFalse(t.is_alive())
        self.assertEqual(out["r"], [])

    def test_patch(self):
        study = self.c.create_study("patch", parameters=X, objective=LOSS, algorithm="random",
                                    budget=2)
        study.optimize(lambda tr: tr["x"])
        self.assertEqual(self.c.study(study["id"])["state"], "done")
        e = self.api_error(400, self.c.update_study, study["id"], budget=1)
        self.assertEqual(e.field, "budget")
        s = self.c.update_study(study["id"], budget=4)
        self.assertEqual((s["budget"], s["state"]), (4, "active"))
        self.assertEqual(len(study.optimize(lambda tr: tr["x"])), 2)
        self.assertEqual(self.c.study(study["id"])["state"], "done")
        self.assertEqual(self.c.update_study(study["id"], name="patched")["name"], "patched")
        self.c.create_study("taken", parameters=X, objective=LOSS)
        self.assertEqual(self.api_error(409, self.c.update_study, study["id"], name="taken").field,
                         "name")
        self.assertEqual(self.api_error(400, self.c.update_study, study["id"], state="x").field,
                         "state")
        self.api_error(404, self.c.update_study, "999999", budget=5)

    def test_patch_budget_counts_expired_trials(self):
        # the budget counts every trial started: two leases that ran out
        # (expired, their results may still arrive) use 2 of it
        study = self.c.create_study("patch-expired", parameters=X, objective=LOSS,
                                    algorithm="random", budget=5, lease_seconds=0.2)
        held, _ = self.c.suggest(study["id"], count=2, worker="gone")
        self.assertEqual(len(held), 2)
        deadline = time.time() + 30
        while self.c.study(study["id"])["counts"]["expired"] < 2 and time.time() < deadline:
            time.sleep(0.3)
        self.assertEqual(self.c.study(study["id"])["counts"]["expired"], 2)
        e = self.api_error(400, self.c.update_study, study["id"], budget=1)
        self.assertEqual(e.field, "budget")
        # a budget of exactly the trials started, none active: spent
        s = self.c.update_study(study["id"], budget=2)
        self.assertEqual((s["budget"], s["state"]), (2, "done"))
        self.assertEqual(self.c.suggest(study["id"], worker="w"), ([], True))
        # a late result is kept and flagged; the budget stays spent
        late = self.c.complete(study["id"], held[0]["id"], metrics={"loss": 1.0})
        self.assertTrue(late["late"])
        self.assertEqual(self.c.study(study["id"])["state"], "done")

    def test_bulk_idempotent_import(self):
        study = self.c.create_study("import", parameters=X, objective=LOSS, budget=10)
        sid = study["id"]
        items = [{"params": {"x": i / 2}, "metrics": {"loss": i * 1.5}, "key": "k%d" % i}
                 for i in range(5)]
        first = self.c.import_trials(sid, items)
        self.assertEqual(first["created"], 5)
        again = self.c.import_trials(sid, items)
        self.assertEqual(again["created"], 0)
        self.assertEqual([t["id"] for t in again["trials"]], [t["id"] for t in first["trials"]])
        self.assertEqual(len(study.trials()), 5)
        # one bad trial: 400 naming it, nothing stored
        bad = [{"params": {"x": 1.25}, "metrics": {"loss": 1}, "key": "new"},
               {"params": {"x": 99}, "metrics": {"loss": 1}}]
        self.assertEqual(self.api_error(400, self.c.import_trials, sid, bad).field,
                         "trials[1].params.x")
        self.assertEqual(len(study.trials()), 5)
        # the single form with a stored key answers with the stored trial
        t = self.c.add_trial(sid, {"x": 4.0}, {"loss": 0}, key="k1")
        self.assertEqual(t["id"], first["trials"][1]["id"])
        self.assertEqual(len(study.trials()), 5)
        # without a key the client sends a fresh one: two calls, two trials
        self.c.add_trial(sid, {"x": 4.0}, {"loss": 0})
        self.c.add_trial(sid, {"x": 4.0}, {"loss": 0})
        self.assertEqual(len(study.trials()), 7)

    def test_csv_and_shortest_numbers(self):
        study = self.c.create_study("csv", parameters=X + [
            {"name": "m", "type": "categorical", "choices": ["p,q", "r"]}],
            objective=LOSS, budget=10)
        sid = study["id"]
        self.c.import_trials(sid, [
            {"params": {"x": 9.1, "m": "p,q"}, "metrics": {"loss": 0.1, "lat": 12.4}},
            {"params": {"x": -0.3, "m": "r"}, "state": "failed", "reason": "no"}])
        for path in ("/v1/studies/%s/trials" % sid, "/v1/studies/%s/best" % sid,
                     "/v1/studies/%s/trials/%s" % (sid, study.trials()[0]["id"])):
            text = self.raw(path)
            self.assertIn('"x":9.1', text, path)
            self.assertIn('"loss":0.1', text, path)
            self.assertNotIn("9.0999", text, path)
        rows = list(csv.reader(io.StringIO(self.c.export_csv(sid))))
        self.assertEqual(rows[0], ["number", "state", "x", "m", "loss", "lat", "model",
                                   "created_at", "finished_at"])
        self.assertEqual(rows[1][:6], ["1", "completed", "9.1", "p,q", "0.1", "12.4"])
        self.assertEqual(rows[2][:6], ["2", "failed", "-0.3", "r", "", ""])
        self.assertEqual(len(rows), 3)
        only = list(csv.reader(io.StringIO(self.c.export_csv(sid, state="failed"))))
        self.assertEqual([r[0] for r in only[1:]], ["2"])

    def test_predict_and_explanation(self):
        study = self.c.create_study("predict", parameters=X, objective=LOSS, algorithm="gp",
                                    budget=14, seed=3)
        sid = study["id"]
        self.assertEqual(self.api_error(409, self.c.predict, sid, {"x": 1.0}).code, "conflict")
        study.optimize(lambda tr: (tr["x"] - 2) ** 2)
        near, far = self.c.predict(sid, params_list=[{"x": 2.0}, {"x": -5.0}])
        self.assertEqual(near["model"], "gp")
        self.assertLess(near["objective"]["mean"], far["objective"]["mean"])
        self.assertLess(abs(far["objective"]["mean"] - 49), 15)
        self.assertGreater(far["objective"]["sd"], 0)
        self.assertEqual(self.api_error(400, self.c.predict, sid, {"x": 20}).field, "params.x")
        self.assertEqual(self.api_error(400, self.c.predict, sid, {}).field, "params.x")
        explained = [t for t in study.trials() if (t["explanation"] or {}).get("predicted")]
        self.assertTrue(explained)
        for t in explained:
            x = t["explanation"]
            self.assertEqual(x["model"], "gp")
            self.assertGreater(x["predicted"]["sd"], 0)
            self.assertIsInstance(x["acquisition"], float)
        first = study.trials()[0]["explanation"]  # no model yet: a design point
        self.assertIsNone(first["predicted"])
        self.assertIn("space-filling", first["note"])
        metrics = self.c.metrics()
        self.assertIn('bograph_suggestions_total{model="gp"}', metrics)
        self.assertIn('bograph_model_fit_seconds_count{model="gp"}', metrics)
        self.assertIn('bograph_acquisition_seconds_bucket{model="gp",le="+Inf"}', metrics)

    def test_graph_model_explains_metrics(self):
        """A bograph study on the synthetic system of test_client.py (x1 -> lat,
        x2 -> energy, edp = lat * energy), seed 5: the graph model answers
        from trial 11 on. Its trials' explanations and its predictions name
        the metric nodes with a mean and sd in the metric's units, and
        predict answers with the model the next suggestion uses."""
        from test_client import SPACE3, system_run
        study = self.c.create_study("graph", parameters=SPACE3,
                                    objective={"name": "edp", "goal": "minimize"},
                                    algorithm="bograph", budget=11, seed=5,
                                    knowledge={"edges": [["x1", "lat"], ["x2", "energy"]],
                                               "models": {"edp": "lat * energy"}})
        study.optimize(lambda t: system_run(t.params))
        graph = [t for t in study.trials() if t["model"] == "bograph"]
        self.assertTrue(graph, [t["model_reason"] for t in study.trials()])
        for t in graph:
            x = t["explanation"]
            self.assertEqual(x["model"], "bograph")
            self.assertGreater(x["predicted"]["mean"], 0)
            self.assertGreater(x["metrics"]["lat"]["mean"], 0)
            self.assertGreaterEqual(x["metrics"]["lat"]["sd"], 0)
        p = {"x1": 0.3, "x2": 0.7, "x3": 0.0}
        pred = self.c.predict(study["id"], p)
        truth = system_run(p)
        self.assertEqual(pred["model"], "bograph")
        self.assertLess(abs(pred["metrics"]["lat"]["mean"] - truth["lat"]),
                        3 * pred["metrics"]["lat"]["sd"] + 0.1)
        self.assertLess(abs(pred["objective"]["mean"] - truth["edp"]), 0.5)
        # the next suggestion comes from the model predict used
        self.c.update_study(study["id"], budget=12)
        self.assertEqual(self.c.ask(study["id"])["trials"][0]["model"], pred["model"])

    def test_plugin_parameters_as_they_are(self):
        plugin = self.c.plugin("accelerator")
        self.assertTrue(any("description" in p for p in plugin["parameters"]))
        s = self.c.create_study("copied", parameters=plugin["parameters"],
                                objective=plugin["objective"], algorithm="random")
        self.assertEqual([p["name"] for p in s["parameters"]],
                         [p["name"] for p in plugin["parameters"]])
        desc = {p["name"]: p.get("description") for p in plugin["parameters"]}
        self.assertEqual({p["name"]: p.get("description") for p in s["parameters"]}, desc)


    def test_several_objectives(self):
        study = self.c.create_study(
            "multi", parameters=X,
            objectives=[{"name": "f1"}, {"name": "f2", "goal": "minimize"}],
            algorithm="gp", budget=12, seed=5)
        self.assertIsNone(study["objective"])
        self.assertEqual(study.objective_names, ["f1", "f2"])
        done = study.optimize(lambda t: (t["x"] ** 2, (t["x"] - 2) ** 2), n_trials=12)
        self.assertEqual(len(done), 12)
        self.assertTrue(all(t["state"] == "completed" for t in done))
        last = done[-1]
        self.assertEqual(set(last["objectives"]), {"f1", "f2"})
        self.assertEqual(last["objectives"]["f1"], last["metrics"]["f1"])
        front = study.best_trials
        self.assertTrue(front)
        # no trial of the front is dominated by a completed trial
        for p in front:
            a = (p["objectives"]["f1"], p["objectives"]["f2"])
            for t in done:
                b = (t["objectives"]["f1"], t["objectives"]["f2"])
                self.assertFalse(b[0] <= a[0] and b[1] <= a[1] and b != a, (a, b))
        with self.assertRaises(RuntimeError):
            study.best_trial
        self.assertEqual(self.c.best(study["id"])["default"], None)
        pred = self.c.predict(study["id"], params={"x": 1.0})
        self.assertIsNone(pred["objective"])
        self.assertEqual(set(pred["objectives"]), {"f1", "f2"})
        self.assertTrue(pred["objectives"]["f2"]["sd"] >= 0)
        rows = list(csv.reader(io.StringIO(self.c.export_csv(study["id"]))))
        self.assertEqual(rows[0][:5], ["number", "state", "x", "f1", "f2"])
        # a completion lacking an objective is a 400 naming it, and stores nothing
        other = self.c.create_study("multi-2", parameters=X,
                                    objectives=[{"name": "f1"}, {"name": "f2"}])
        trials, _ = self.c.suggest(other["id"])
        e = self.api_error(400, self.c.complete, other["id"], trials[0]["id"],
                           metrics={"f1": 1.0})
        self.assertEqual(e.field, "metrics")
        self.assertIn("'f2'", str(e))
        self.assertEqual(self.c.trial(other["id"], trials[0]["id"])["state"], "active")
        t = self.c.complete(other["id"], trials[0]["id"], metrics={"f1": 1.0, "f2": 2.5})
        self.assertEqual(t["objectives"], {"f1": 1.0, "f2": 2.5})
        # a tuple of the wrong length fails the trial and is raised
        with self.assertRaises(ValueError):
            other.optimize(lambda t: (1.0,), n_trials=1)
        e = self.api_error(400, self.c.create_study, "both", parameters=X, objective=LOSS,
                           objectives=[{"name": "f1"}, {"name": "f2"}])
        self.assertEqual(e.field, "objectives")


if __name__ == "__main__":
    result = unittest.TextTestRunner(verbosity=2).run(
        unittest.TestLoader().loadTestsFromTestCase(StudyTest))
    sys.exit(0 if result.wasSuccessful() else 1)
