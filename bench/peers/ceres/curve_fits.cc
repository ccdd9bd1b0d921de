// Ceres Solver side of the "fits" peer benchmark: NIST StRD curve fits by Levenberg-Marquardt, the same cases,
// data, starts and stopping rule as bench/NGGen.PeerBench/CurveFitGroup.cs, timed with the same rule.
//
// Run from the repository root, after the NGGen side has written DIR/fits/ (bench/run-peers.sh does both):
//   dotnet bench/NGGen.PeerBench/bin/Release/net10.0/NGGen.PeerBench.dll --group fits --data out/peers
//   bench/peers/ceres/build.sh out/peers/ceres && out/peers/ceres/curve_fits --data out/peers [--quick]
// Options: --data DIR (default out/peers), --quick (0.05 s warm-up, >= 3 calls and 0.1 s timed),
// --min-seconds S (timed span), --jacobi-scaling (Ceres' default column scaling; see MakeOptions).
//
// Per case it reads DIR/fits/<problem>_start<k>/case.txt (start, certified values, NGGen's stopping rule and
// solution) and data.csv (the observations NGGen fitted, round-trip formatted), solves once, scores the solution
// against NIST's certified values (LRE, as NistDataset.CorrectDigits), checks it against NGGen's (CheckAgreement;
// exit 1 naming the case when they differ), then times solves and prints one JSON line on stdout:
//   {"group":"fits","case":"Misra1a/start1","impl":"ceres","seconds":...,"reps":...,"digits":...,"cost":...,
//    "iterations":...,...}
// A timed solve is what a user does per fit with the data in memory, as on the NGGen side: build the
// ceres::Problem (one AutoDiffCostFunction residual block per observation, as Ceres' examples/nist.cc does) and
// solve from NIST's start. LM + DENSE_QR, one thread (NGGen's LM is single-threaded too).
#include <ceres/ceres.h>
#include <glog/logging.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// ---- The models, exactly as samples/CurveFitting/Models.cs writes them (same operations, same order). ----

// y = b1 (1 - exp(-b2 x)): Misra1a, BoxBOD.
struct ExponentialRise {
  static constexpr int kParameters = 2;
  template <typename T>
  static T Predict(const T* b, double x) {
    return b[0] * (1.0 - exp(-b[1] * x));
  }
};

// y = b1 / (1 + exp(b2 - b3 x))^(1/b4): Rat43.
struct Sigmoid4 {
  static constexpr int kParameters = 4;
  template <typename T>
  static T Predict(const T* b, double x) {
    return b[0] / pow(1.0 + exp(b[1] - b[2] * x), 1.0 / b[3]);
  }
};

// y = (b1/b2) exp(-1/2 ((x - b3)/b2)^2): Eckerle4.
struct GaussianPeak {
  static constexpr int kParameters = 3;
  template <typename T>
  static T Predict(const T* b, double x) {
    return b[0] / b[1] * exp(-0.5 * ((x - b[2]) / b[1]) * ((x - b[2]) / b[1]));
  }
};

// Cubic over cubic: Thurber.
struct Rational33 {
  static constexpr int kParameters = 7;
  template <typename T>
  static T Predict(const T* b, double x) {
    return (b[0] + b[1] * x + b[2] * x * x + b[3] * x * x * x) / (1.0 + b[4] * x + b[5] * x * x + b[6] * x * x * x);
  }
};

// r = f(x; b) - y, NGGen's sign (the cost 1/2 r^2 does not depend on it).
template <class Model>
struct Residual {
  double x, y;
  template <typename T>
  bool operator()(const T* b, T* r) const {
    r[0] = Model::Predict(b, x) - y;
    return true;
  }
};

// ---- Input: DIR/fits/<case>/case.txt and data.csv, written by CurveFitFiles.cs. ----

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "curve_fits: %s\n", message.c_str());
  std::exit(1);
}

struct Case {
  std::string name, directory;
  std::map<std::string, std::vector<std::string>> fields;
  std::vector<double> x, y;

  const std::vector<std::string>& Field(const std::string& key) const {
    auto it = fields.find(key);
    if (it == fields.end() || it->second.empty()) Fail(directory + "/case.txt: no '" + key + "' line");
    return it->second;
  }
  std::string Text(const std::string& key) const { return Field(key)[0]; }
  std::vector<double> Numbers(const std::string& key) const {
    std::vector<double> values;
    for (const auto& text : Field(key)) {
      char* end = nullptr;
      double value = std::strtod(text.c_str(), &end);
      if (end == text.c_str() || *end != '\0') Fail(directory + "/case.txt, '" + key + "': '" + text + "' is not a number");
      values.push_back(value);
    }
    return values;
  }
  double Number(const std::string& key) const { return Numbers(key)[0]; }
};

Case ReadCase(const std::string& root, const std::string& name) {
  Case c;
  c.name = name;
  c.directory = root + "/" + name;
  std::ifstream text(c.directory + "/case.txt");
  if (!text) Fail(c.directory + "/case.txt: cannot open (run the NGGen side with the same --data first)");
  std::string line;
  while (std::getline(text, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string key, word;
    words >> key;
    while (words >> word) c.fields[key].push_back(word);
  }
  std::ifstream data(c.directory + "/data.csv");
  if (!data) Fail(c.directory + "/data.csv: cannot open");
  int row = 0;
  while (std::getline(data, line)) {
    if (++row == 1) {
      if (line != "x,y") Fail(c.directory + "/data.csv, line 1: expected the header 'x,y', got '" + line + "'");
      continue;
    }
    if (line.empty()) continue;
    char* end = nullptr;
    double x = std::strtod(line.c_str(), &end);
    if (end == line.c_str() || *end != ',') Fail(c.directory + "/data.csv, line " + std::to_string(row) + ": bad x in '" + line + "'");
    const char* rest = end + 1;
    double y = std::strtod(rest, &end);
    if (end == rest || *end != '\0') Fail(c.directory + "/data.csv, line " + std::to_string(row) + ": bad y in '" + line + "'");
    c.x.push_back(x);
    c.y.push_back(y);
  }
  if (static_cast<double>(c.x.size()) != c.Number("observations"))
    Fail(c.directory + "/data.csv: " + std::to_string(c.x.size()) + " rows, case.txt says " + c.Text("observations"));
  return c;
}

// ---- The solver configuration: NGGen's stopping rule in Ceres' options. ----
//
// Both solvers are Ceres' trust-region LM (NGGen's LevenbergMarquardt.cs follows levenberg_marquardt_strategy.cc and
// trust_region_minimizer.cc): damping mu = 1/radius on D = sqrt(clamp(diag JtJ, min_lm_diagonal, max_lm_diagonal)),
// radius /= max(1/3, 1 - (2 rho - 1)^3) on success, /= 2, 4, 8, ... on failure, a step accepted when
// rho > min_relative_decrease. The step is the QR least-squares solution of [J; sqrt(mu) D] delta = [-r; 0] in both
// (NGGen: its HouseholderQr; Ceres DENSE_QR: Eigen's HouseholderQR). Set equal here: max_num_iterations,
// function/gradient/parameter tolerances, initial/min trust-region radius, min/max LM diagonal, min relative decrease.
// Set to match what NGGen does not have: max_trust_region_radius (NGGen has no cap), max_num_consecutive_invalid_steps
// (NGGen treats a step with no predicted decrease as rejected and goes on), jacobi_scaling = false (NGGen does not scale
// columns; with Ceres' scaling s_j = 1/(1 + |J_j(x0)|) the damping term is the same except where a column norm is
// near the 1e-3 clamp, so --jacobi-scaling runs Ceres' default to show it changes nothing here).
// Remaining differences in the tests, which decide only the last iteration:
//  - function tolerance: Ceres stops when |cost - candidate cost| <= tol * cost for ANY evaluated candidate (accepted
//    or not) and keeps x; NGGen tests only accepted steps (decrease <= tol * cost) and keeps the candidate;
//  - parameter tolerance: the same test |delta| <= tol (|x| + tol), but Ceres evaluates the candidate's cost before
//    it (one more residual evaluation), and in Ceres 2.1 |x| is -1 until the first accepted step (x_norm_ is
//    initialised to -1), so the test cannot fire before it;
//  - gradient tolerance: Ceres <=, NGGen <, both on max|Jt r| after accepted steps (with tolerance 0 neither fires);
//  - min trust-region radius: Ceres stops at radius <= min, NGGen at radius < min (1e-32 is never reached here);
//  - at the rounding floor (predicted decrease below 64 ulp of the cost) NGGen judges a step by the cost alone and
//    takes it if the cost rises by no more than that and the step is no longer than the last accepted one; Ceres
//    rejects it on the ratio or stops before it on the function tolerance. This is NGGen's one deliberate departure
//    (LevenbergMarquardt.cs): one more Gauss-Newton step where the cost can no longer see the parameters' last digits.
ceres::Solver::Options MakeOptions(const Case& c, bool jacobi_scaling) {
  ceres::Solver::Options options;
  options.minimizer_type = ceres::TRUST_REGION;
  options.trust_region_strategy_type = ceres::LEVENBERG_MARQUARDT;
  options.linear_solver_type = ceres::DENSE_QR;
  options.dense_linear_algebra_library_type = ceres::EIGEN;
  options.num_threads = 1;
  options.max_num_iterations = static_cast<int>(c.Number("max_num_iterations"));
  options.function_tolerance = c.Number("function_tolerance");
  options.gradient_tolerance = c.Number("gradient_tolerance");
  options.parameter_tolerance = c.Number("parameter_tolerance");
  options.initial_trust_region_radius = c.Number("initial_trust_region_radius");
  options.max_trust_region_radius = std::numeric_limits<double>::max();
  options.min_trust_region_radius = c.Number("min_trust_region_radius");
  options.min_lm_diagonal = c.Number("min_lm_diagonal");
  options.max_lm_diagonal = c.Number("max_lm_diagonal");
  options.min_relative_decrease = c.Number("min_relative_decrease");
  options.max_num_consecutive_invalid_steps = options.max_num_iterations;
  options.jacobi_scaling = jacobi_scaling;
  options.use_nonmonotonic_steps = false;
  options.use_inner_iterations = false;
  options.minimizer_progress_to_stdout = false;
  options.logging_type = ceres::SILENT;
  std::string why;
  if (!options.IsValid(&why)) Fail(c.name + ": invalid Ceres options: " + why);
  return options;
}

struct Solution {
  std::vector<double> parameters;
  ceres::Solver::Summary summary;
};

// One solve as a user writes it: the problem is built from the data, then solved from the start.
template <class Model>
void Solve(const Case& c, const std::vector<double>& start, const ceres::Solver::Options& options, Solution& out) {
  out.parameters = start;
  ceres::Problem problem;
  for (size_t i = 0; i < c.x.size(); ++i) {
    auto* cost = new ceres::AutoDiffCostFunction<Residual<Model>, 1, Model::kParameters>(new Residual<Model>{c.x[i], c.y[i]});
    problem.AddResidualBlock(cost, nullptr, out.parameters.data());
  }
  ceres::Solve(options, &problem, &out.summary);
}

// ---- Scoring and the agreement check. ----

// NIST's log relative error, as NistDataset.CorrectDigits: correct significant digits, 0 when off by more than 100%,
// capped at the 11 digits NIST certifies.
double CorrectDigits(double value, double certified) {
  if (value == certified) return 11;
  double lre = -std::log10(std::fabs(value - certified) / std::fabs(certified));
  return std::isnan(lre) ? 0 : std::clamp(lre, 0.0, 11.0);
}

double FewestCorrectDigits(const std::vector<double>& values, const std::vector<double>& certified) {
  double fewest = 11;
  for (size_t k = 0; k < values.size(); ++k) fewest = std::min(fewest, CorrectDigits(values[k], certified[k]));
  return fewest;
}

// A solution with fewer correct digits than this has not found NIST's minimum (BoxBOD from start 1: b2 runs off to
// infinity on a plateau where every prediction equals b1).
constexpr double kFailedDigits = 1.0;

// Converged solutions must agree parameter by parameter to this relative tolerance. Both solvers stop on tolerances
// of 1e-15 and reach 7-11 of NIST's digits, so where both converge their parameters differ by rounding in the
// Jacobian (AD with jets against generated code) and the QR, amplified by the conditioning of J: 1e-6 leaves room
// for that on Thurber (7 parameters, about 7.5 correct digits) and is still far below any difference in which
// minimum or which iterate was reached.
constexpr double kParameterTolerance = 1e-6;

// Where both fail (no correct digits), the parameters are wherever each run stopped on the plateau; they must agree
// on the cost there.
constexpr double kFailedCostTolerance = 1e-6;

struct Agreement {
  double max_relative_difference;
  bool both_fail;
};

Agreement CheckAgreement(const Case& c, const std::vector<double>& ours, double our_cost, double our_digits) {
  const auto theirs = c.Numbers("nggen_solution");
  const double their_cost = c.Number("nggen_cost"), their_digits = c.Number("nggen_digits");
  if (theirs.size() != ours.size()) Fail(c.name + ": NGGen's solution has " + std::to_string(theirs.size()) + " parameters, Ceres' " + std::to_string(ours.size()));
  double worst = 0;
  for (size_t k = 0; k < ours.size(); ++k)
    worst = std::max(worst, std::fabs(ours[k] - theirs[k]) / std::max(std::fabs(theirs[k]), 1e-300));
  const bool we_fail = our_digits < kFailedDigits, they_fail = their_digits < kFailedDigits;
  char detail[256];
  if (we_fail && they_fail) {
    const double cost_difference = std::fabs(our_cost - their_cost) / std::max(std::fabs(their_cost), 1e-300);
    if (!(cost_difference <= kFailedCostTolerance)) {
      std::snprintf(detail, sizeof detail, "both fail (%.1f and %.1f digits) but at different costs: Ceres %.10e, NGGen %.10e (relative %.3e > %g)",
                    our_digits, their_digits, our_cost, their_cost, cost_difference, kFailedCostTolerance);
      Fail(c.name + ": " + detail);
    }
    return {worst, true};
  }
  if (we_fail != they_fail || !(worst <= kParameterTolerance)) {
    std::snprintf(detail, sizeof detail, "Ceres' solution (%.1f digits, cost %.10e) differs from NGGen's (%.1f digits, cost %.10e) by %.3e relative (tolerance %g)",
                  our_digits, our_cost, their_digits, their_cost, worst, kParameterTolerance);
    Fail(c.name + ": " + detail + "; the two would time different computations");
  }
  return {worst, false};
}

// ---- Timing: the rule of bench/NGGen.PeerBench/Measure.cs (bench/peers/timing.py is its Python twin). ----

double g_warmup_seconds = 0.3, g_min_seconds = 1.0;
int g_min_repetitions = 5;
constexpr int kMaxRepetitions = 2000;

template <class Call>
std::pair<double, int> MedianSeconds(Call&& call) {
  using Clock = std::chrono::steady_clock;
  auto seconds_since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
  const auto warmup = Clock::now();
  for (int i = 0; i < 2 || seconds_since(warmup) < g_warmup_seconds; ++i) call();
  std::vector<double> samples;
  samples.reserve(kMaxRepetitions);
  const auto total = Clock::now();
  while (static_cast<int>(samples.size()) < kMaxRepetitions &&
         (static_cast<int>(samples.size()) < g_min_repetitions || seconds_since(total) < g_min_seconds)) {
    const auto start = Clock::now();
    call();
    samples.push_back(seconds_since(start));
  }
  std::sort(samples.begin(), samples.end());
  const size_t n = samples.size();
  const double median = n % 2 == 1 ? samples[n / 2] : 0.5 * (samples[n / 2 - 1] + samples[n / 2]);
  return {median, static_cast<int>(n)};
}

std::string Json(double value) {
  if (!std::isfinite(value)) return "null";
  char text[40];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

// Ceres 2.1 reports every tolerance stop as CONVERGENCE; its message names the test. In NGGen's vocabulary:
std::string StoppedBy(const ceres::Solver::Summary& s) {
  const std::pair<const char*, const char*> tests[] = {{"Function tolerance", "FunctionTolerance"},
                                                       {"Parameter tolerance", "ParameterTolerance"},
                                                       {"Gradient tolerance", "GradientTolerance"},
                                                       {"Minimum trust region radius", "NoProgress"},
                                                       {"Maximum number of iterations", "MaxIterations"}};
  for (const auto& [prefix, name] : tests)
    if (s.message.rfind(prefix, 0) == 0) return name;
  return ceres::TerminationTypeToString(s.termination_type);
}

// Iterations as NGGen counts them: accepted and rejected steps after iteration 0. Ceres lists iteration 0 among the
// successful steps and does not list the iteration on which a tolerance test stopped it.
int Iterations(const ceres::Solver::Summary& s) { return s.num_successful_steps + s.num_unsuccessful_steps - 1; }

template <class Model>
void RunCase(const Case& c, bool jacobi_scaling) {
  const auto start = c.Numbers("start"), certified = c.Numbers("certified");
  if (static_cast<int>(start.size()) != Model::kParameters || certified.size() != start.size())
    Fail(c.name + ": model " + c.Text("model") + " has " + std::to_string(Model::kParameters) + " parameters; case.txt gives " +
         std::to_string(start.size()) + " start values and " + std::to_string(certified.size()) + " certified values");
  const auto options = MakeOptions(c, jacobi_scaling);

  Solution checked;
  Solve<Model>(c, start, options, checked);
  const double cost = checked.summary.final_cost;
  const double digits = FewestCorrectDigits(checked.parameters, certified);
  const auto agreement = CheckAgreement(c, checked.parameters, cost, digits);
  std::fprintf(stderr, "  ceres  fits  %-24s %s after %d iterations, cost %.10e, %.1f digits; %s %.2e\n", c.name.c_str(),
               StoppedBy(checked.summary).c_str(), Iterations(checked.summary), cost, digits,
               agreement.both_fail ? "both fail, parameters differ by" : "agrees with NGGen to", agreement.max_relative_difference);

  Solution timed;
  const auto [seconds, reps] = MedianSeconds([&] { Solve<Model>(c, start, options, timed); });
  if (timed.parameters != checked.parameters) Fail(c.name + ": a timed solve ended elsewhere than the checked one");

  const std::string problem = c.Text("problem"), start_index = c.Text("start_index");
  std::printf(
      "{\"group\":\"fits\",\"case\":\"%s/start%s\",\"impl\":\"ceres\",\"seconds\":%s,\"reps\":%d,\"problem\":\"%s\",\"start\":%s,"
      "\"model\":\"%s\",\"observations\":%zu,\"parameters\":%d,\"digits\":%s,\"cost\":%s,\"iterations\":%d,"
      "\"residual_evaluations\":%d,\"jacobian_evaluations\":%d,\"termination\":\"%s\",\"threads\":1,\"construction_timed\":true,"
      "\"jacobi_scaling\":%s,\"both_fail\":%s,\"max_relative_difference_to_nggen\":%s}\n",
      problem.c_str(), start_index.c_str(), Json(seconds).c_str(), reps, problem.c_str(), start_index.c_str(), c.Text("model").c_str(),
      c.x.size(), Model::kParameters, Json(digits).c_str(), Json(cost).c_str(), Iterations(checked.summary),
      checked.summary.num_residual_evaluations, checked.summary.num_jacobian_evaluations,
      StoppedBy(checked.summary).c_str(), jacobi_scaling ? "true" : "false",
      agreement.both_fail ? "true" : "false", Json(agreement.max_relative_difference).c_str());
  std::fflush(stdout);
  std::fprintf(stderr, "  ceres  fits  %-24s %10.4f ms  (%d reps)\n", (problem + "/start" + start_index).c_str(), seconds * 1e3, reps);
}

}  // namespace

int main(int argc, char** argv) {
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;
  FLAGS_minloglevel = google::GLOG_ERROR;  // Ceres' warnings (a diverging start) would flood the timed loops.

  std::string data = "out/peers";
  bool jacobi_scaling = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Fail(arg + " needs a value\nusage: curve_fits [--data DIR] [--quick] [--min-seconds S] [--jacobi-scaling]");
      return argv[++i];
    };
    if (arg == "--data") {
      data = value();
    } else if (arg == "--quick") {
      g_warmup_seconds = 0.05;
      g_min_seconds = std::min(g_min_seconds, 0.1);
      g_min_repetitions = 3;
    } else if (arg == "--min-seconds") {
      g_min_seconds = std::atof(value().c_str());
      if (!(g_min_seconds > 0)) Fail("--min-seconds needs a positive number");
    } else if (arg == "--jacobi-scaling") {
      jacobi_scaling = true;
    } else {
      Fail("unknown argument '" + arg + "'\nusage: curve_fits [--data DIR] [--quick] [--min-seconds S] [--jacobi-scaling]");
    }
  }

  const std::string root = data + "/fits";
  std::ifstream list(root + "/cases.txt");
  if (!list) Fail(root + "/cases.txt: cannot open (run NGGen.PeerBench --group fits --data " + data + " first)");
  std::string name;
  while (std::getline(list, name)) {
    if (name.empty()) continue;
    const Case c = ReadCase(root, name);
    const std::string model = c.Text("model");
    if (model == "ExponentialRise") RunCase<ExponentialRise>(c, jacobi_scaling);
    else if (model == "Sigmoid4") RunCase<Sigmoid4>(c, jacobi_scaling);
    else if (model == "GaussianPeak") RunCase<GaussianPeak>(c, jacobi_scaling);
    else if (model == "Rational33") RunCase<Rational33>(c, jacobi_scaling);
    else Fail(c.directory + "/case.txt: no Ceres residual for model '" + model + "' (add it to curve_fits.cc)");
  }
  return 0;
}
