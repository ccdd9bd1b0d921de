#!/usr/bin/python3
"""Checks report.py's medians and round spreads and plot.py's chart geometry on small hand-made tables.

    python3 -m unittest discover -s bench/peers -p 'test_*.py'
"""
import json
import os
import re
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plot  # noqa: E402
import report  # noqa: E402


def mlp_record(impl, width, batch, op, seconds, round_number):
    return {"group": "mlp", "case": f"{op}/w{width}/b{batch}", "impl": impl, "seconds": seconds, "op": op,
            "width": width, "batch": batch, "round": round_number}


class ReportTests(unittest.TestCase):
    def test_median_ratio_and_spread_over_rounds(self):
        # Three rounds: NGGen 1, 2, 4 ms (median 2, spread 4×); PyTorch 30, 20, 25 ms (median 25, spread 1.5×).
        records = [mlp_record("nggen", 64, 32, "grad", s, i) for i, s in enumerate((1e-3, 2e-3, 4e-3), 1)]
        records += [mlp_record("torch", 64, 32, "grad", s, i) for i, s in enumerate((30e-3, 20e-3, 25e-3), 1)]
        [row] = report.summarize(records)
        self.assertAlmostEqual(row["nggen_seconds"], 2e-3)
        self.assertAlmostEqual(row["peer_seconds"], 25e-3)
        self.assertAlmostEqual(row["ratio"], 0.08)
        self.assertAlmostEqual(row["spread"]["nggen"], 4.0)
        self.assertAlmostEqual(row["spread"]["torch"], 1.5)
        self.assertEqual(row["rounds"], 3)
        # Fastest rounds: NGGen 1 ms, PyTorch 20 ms.
        self.assertAlmostEqual(row["best_ratio"], 0.05)

    def test_target_summary_counts_cells_by_medians_and_by_fastest_rounds(self):
        # grad at w64: medians 2 against 15 ms (7.5×, missed), fastest 1 against 12 ms (12×); at w256: 10× both ways.
        records = [mlp_record("nggen", 64, 256, "grad", s, i) for i, s in enumerate((1e-3, 2e-3, 3e-3), 1)]
        records += [mlp_record("torch", 64, 256, "grad", s, i) for i, s in enumerate((12e-3, 15e-3, 16e-3), 1)]
        records += [mlp_record("nggen", 256, 256, "grad", s, i) for i, s in enumerate((1e-3, 1e-3, 1e-3), 1)]
        records += [mlp_record("torch", 256, 256, "grad", s, i) for i, s in enumerate((10e-3, 10e-3, 10e-3), 1)]
        text = report.target_summary(report.summarize(records))
        self.assertEqual(text, "grad ≥ 10× PyTorch: 1 of 2 cells by the medians (missed: w64 b256 7.50×), "
                               "2 of 2 by each side's fastest round.")

    def test_noisy_rows_are_listed_under_the_mlp_table(self):
        records = [mlp_record("nggen", 256, 256, "grad", s, i) for i, s in enumerate((1.0e-3, 1.5e-3), 1)]
        records += [mlp_record("torch", 256, 256, "grad", s, i) for i, s in enumerate((10e-3, 10.1e-3), 1)]
        records += [mlp_record("nggen", 256, 256, "forward", s, i) for i, s in enumerate((0.4e-3, 0.41e-3), 1)]
        records += [mlp_record("torch", 256, 256, "forward", s, i) for i, s in enumerate((4e-3, 4.1e-3), 1)]
        text = report.mlp_section(report.summarize(records), float_peak=None)
        self.assertIn("1 of 2 rows", text)
        self.assertIn("w256 b256 grad (nggen 1.50×)", text)
        self.assertNotIn("forward (", text)


class PlotTests(unittest.TestCase):
    def draw(self, rows):
        data = {"rounds": 5, "fma_float_peak_gflops": 344.1, "rows": rows}
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "table.json")
            with open(path, "w") as f:
                json.dump(data, f)
            loaded, loaded_rows = plot.load_rows(path)
            return plot.draw(loaded, loaded_rows)

    @staticmethod
    def bar_top(svg, title_start):
        match = re.search(r'<rect x="[^"]+" y="([^"]+)" width="[^"]+" height="([^"]+)" fill="[^"]+"><title>'
                          + re.escape(title_start), svg)
        return float(match.group(1)), float(match.group(2))

    @staticmethod
    def target_y(svg):
        return float(re.search(r'<line x1="[^"]+" y1="([^"]+)" x2="[^"]+" y2="[^"]+" stroke="#c00"', svg).group(1))

    def test_a_bar_at_the_target_reaches_the_target_line(self):
        rows = [{"group": "mlp", "case": "grad/w64/b32", "op": "grad", "width": 64, "batch": 32, "ratio": 0.1},
                {"group": "mlp", "case": "ggn/w64/b32", "op": "ggn", "width": 64, "batch": 32, "ratio": 0.01}]
        svg = self.draw(rows)
        grad_top, grad_height = self.bar_top(svg, "w64 b32 gradient: 10.0×")
        ggn_top, ggn_height = self.bar_top(svg, "w64 b32 GGN product: 100.0×")
        self.assertAlmostEqual(grad_top, self.target_y(svg), delta=0.11)
        # Log scale from 1×: 100× is twice as tall as 10×.
        self.assertAlmostEqual(ggn_height, 2 * grad_height, delta=0.3)

    def test_the_fastest_round_tick_sits_on_its_own_bar_at_its_speed_up(self):
        # Median 5×, fastest rounds 10×: the tick is at the target line's height, across the gradient bar.
        rows = [{"group": "mlp", "case": "grad/w64/b32", "op": "grad", "width": 64, "batch": 32, "ratio": 0.2,
                 "best_ratio": 0.1}]
        svg = self.draw(rows)
        bar = re.search(r'<rect x="([^"]+)" y="[^"]+" width="([^"]+)" height="[^"]+" fill="[^"]+"><title>'
                        r'w64 b32 gradient: 5.0×', svg)
        tick = re.search(r'<line x1="([^"]+)" y1="([^"]+)" x2="([^"]+)" y2="[^"]+" stroke="'
                         + plot.MARKER_COLOUR + '" stroke-width="2"/>', svg)
        self.assertAlmostEqual(float(tick.group(2)), self.target_y(svg), delta=0.11)
        self.assertAlmostEqual(float(tick.group(1)), float(bar.group(1)), delta=0.11)
        self.assertAlmostEqual(float(tick.group(3)), float(bar.group(1)) + float(bar.group(2)), delta=0.11)
        self.assertIn("fastest rounds", svg)

    def test_peak_fractions_are_drawn_on_a_linear_scale(self):
        rows = [{"group": "peak", "case": "gemm/w256/b32", "extras": {"nggen": {"fraction_of_peak": 0.7}}},
                {"group": "peak", "case": "gemm_input_cotangent/w256/b32",
                 "extras": {"nggen": {"fraction_of_peak": 0.35}}},
                {"group": "peak", "case": "fma_float/2t", "extras": {"nggen": {"gflops": 344.1}}}]
        svg = self.draw(rows)
        layer_top, layer_height = self.bar_top(svg, "w256 b32 W·X (layer): 70%")
        cotangent_top, cotangent_height = self.bar_top(svg, "w256 b32 Wᵀ·D (input cotangent): 35%")
        self.assertAlmostEqual(layer_top, self.target_y(svg), delta=0.11)
        self.assertAlmostEqual(layer_height, 2 * cotangent_height, delta=0.2)
        self.assertNotIn("speed-up", svg)

    def test_a_table_without_mlp_or_peak_rows_is_refused(self):
        with self.assertRaises(SystemExit) as raised:
            self.draw([{"group": "fits", "case": "Misra1a/start1", "ratio": 0.3}])
        self.assertIn("no MLP or peak rows", str(raised.exception))

    def test_a_file_that_is_not_the_report_json_is_refused(self):
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "table.json")
            with open(path, "w") as f:
                f.write("{not json")
            with self.assertRaises(SystemExit) as raised:
                plot.load_rows(path)
            self.assertIn("cannot read report.py's JSON", str(raised.exception))


if __name__ == "__main__":
    unittest.main()
