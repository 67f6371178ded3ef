// `tower plan`: one axis's time-optimal jerk-limited profile from the command line (DESIGN.md section 3).
// Parsing and printing only; the planning lives in tower/profile.hpp.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "tower/profile.hpp"

namespace tower::cli {

namespace {

constexpr const char* usage_text =
    "usage: tower plan --distance D --vmax V --amax A --jmax J [--v0 X] [--a0 X] [--vf X] [--af X] [--json]\n"
    "\n"
    "Plans the fastest move of one axis (the lift, the pallet transfer) that keeps |velocity| <= V,\n"
    "|acceleration| <= A and |jerk| <= J: a sequence of constant-jerk phases. Positions are relative to\n"
    "the start. A start beyond the limits is first braked back within them.\n"
    "\n"
    "options:\n"
    "  --distance D  target position relative to the start in m, either sign; required\n"
    "  --vmax V      velocity limit in m/s, > 0 (the lift: 2); required\n"
    "  --amax A      acceleration limit in m/s^2, > 0 (the lift: 1); required\n"
    "  --jmax J      jerk limit in m/s^3, > 0 (the lift: 2); required\n"
    "  --v0 X        start velocity in m/s; default 0\n"
    "  --a0 X        start acceleration in m/s^2; default 0\n"
    "  --vf X        target velocity in m/s, |vf| <= vmax; default 0\n"
    "  --af X        target acceleration in m/s^2, |af| <= amax; default 0\n"
    "  --json        print the profile as JSON: duration_s, min_position, max_position (the overtravel\n"
    "                envelope in m, turning points included), and phases with start_s, duration_s, jerk and\n"
    "                the start position, velocity and acceleration\n"
    "  --help        print this help\n"
    "\n"
    "exit status: 0 planned, 1 a value was refused, 2 usage error (unknown or missing option)\n";

int usage_error(const std::string& reason) {
  std::fprintf(stderr, "tower plan: %s (try 'tower plan --help')\n", reason.c_str());
  return 2;
}

int refused(const std::string& reason) {
  std::fprintf(stderr, "tower plan: %s\n", reason.c_str());
  return 1;
}

// The core names its fields (vmax_mps, ...); at the command line the flags are the names people typed.
std::string with_flag_names(std::string message) {
  static const std::pair<const char*, const char*> names[] = {
      {"vmax_mps", "--vmax"}, {"amax_mps2", "--amax"}, {"jmax_mps3", "--jmax"}, {"distance_m", "--distance"},
      {"v0_mps", "--v0"},     {"a0_mps2", "--a0"},     {"vf_mps", "--vf"},     {"af_mps2", "--af"}};
  for (const auto& [field, flag] : names) {
    for (auto at = message.find(field); at != std::string::npos; at = message.find(field, at)) {
      message.replace(at, std::char_traits<char>::length(field), flag);
    }
  }
  return message;
}

// Shortest text that reads back as the same double: valid JSON, and exact for outside tools.
std::string number(double value) {
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  return std::string(buffer, end);
}

void print_json(const Profile& profile) {
  std::printf("{\n");
  std::printf("  \"duration_s\": %s,\n", number(profile.duration_s).c_str());
  std::printf("  \"min_position\": %s,\n", number(profile.min_position_m).c_str());
  std::printf("  \"max_position\": %s,\n", number(profile.max_position_m).c_str());
  std::printf("  \"reaches_vmax\": %s,\n", profile.reaches_vmax ? "true" : "false");
  std::printf("  \"reaches_amax\": %s,\n", profile.reaches_amax ? "true" : "false");
  std::printf("  \"braking_phases\": %zu,\n", profile.braking_phases);
  std::printf("  \"end\": {\"position\": %s, \"velocity\": %s, \"acceleration\": %s},\n",
              number(profile.end.position_m).c_str(), number(profile.end.velocity_mps).c_str(),
              number(profile.end.acceleration_mps2).c_str());
  std::printf("  \"phases\": [");
  double start_s = 0.0;
  for (std::size_t i = 0; i < profile.phase_count; ++i) {
    const ProfilePhase& phase = profile.phases[i];
    std::printf("%s\n    {\"start_s\": %s, \"duration_s\": %s, \"jerk\": %s, \"start_position\": %s, "
                "\"start_velocity\": %s, \"start_acceleration\": %s}",
                i == 0 ? "" : ",", number(start_s).c_str(), number(phase.duration_s).c_str(),
                number(phase.jerk_mps3).c_str(), number(phase.start.position_m).c_str(),
                number(phase.start.velocity_mps).c_str(), number(phase.start.acceleration_mps2).c_str());
    start_s += phase.duration_s;
  }
  std::printf("%s]\n}\n", profile.phase_count == 0 ? "" : "\n  ");
}

void print_human(const Profile& profile) {
  std::string reached;
  if (profile.reaches_vmax) reached += ", reaches vmax";
  if (profile.reaches_amax) reached += ", reaches amax";
  if (profile.braking_phases > 0) reached += ", brakes from beyond the limits first";
  std::printf("Time-optimal profile: %.6f s%s\n", profile.duration_s, reached.c_str());
  std::printf("Position envelope: %.6f to %.6f m (relative to the start)\n\n", profile.min_position_m,
              profile.max_position_m);
  std::printf("  %5s %11s %12s %12s %13s %14s %14s\n", "phase", "start [s]", "length [s]", "jerk [m/s3]",
              "position [m]", "velocity [m/s]", "accel [m/s2]");
  double start_s = 0.0;
  for (std::size_t i = 0; i < profile.phase_count; ++i) {
    const ProfilePhase& phase = profile.phases[i];
    std::printf("  %5zu %11.6f %12.6f %12.6f %13.6f %14.6f %14.6f%s\n", i + 1, start_s, phase.duration_s,
                phase.jerk_mps3, phase.start.position_m, phase.start.velocity_mps, phase.start.acceleration_mps2,
                i < profile.braking_phases ? "  (braking)" : "");
    start_s += phase.duration_s;
  }
  std::printf("  %5s %11.6f %12s %12s %13.6f %14.6f %14.6f\n", "end", profile.duration_s, "", "",
              profile.end.position_m, profile.end.velocity_mps, profile.end.acceleration_mps2);
}

}  // namespace

int plan_command(const std::vector<std::string>& argv) {
  if (std::find(argv.begin(), argv.end(), "--help") != argv.end()) {
    std::fputs(usage_text, stdout);
    return 0;
  }
  const Args args(argv, {"--distance", "--vmax", "--amax", "--jmax", "--v0", "--a0", "--vf", "--af"},
                  {"--json", "--help"});
  if (!args.error().empty()) return usage_error(args.error());
  if (!args.positional().empty()) return usage_error("unexpected argument '" + args.positional().front() + "'");
  for (const char* required : {"--distance", "--vmax", "--amax", "--jmax"}) {
    if (!args.has(required)) return usage_error(std::string("missing ") + required);
  }

  ProfileRequest request;
  const std::pair<const char*, double*> fields[] = {
      {"--distance", &request.distance_m},     {"--vmax", &request.limits.vmax_mps},
      {"--amax", &request.limits.amax_mps2},   {"--jmax", &request.limits.jmax_mps3},
      {"--v0", &request.v0_mps},               {"--a0", &request.a0_mps2},
      {"--vf", &request.vf_mps},               {"--af", &request.af_mps2}};
  for (const auto& [flag, target] : fields) {
    const auto text = args.value(flag);
    if (!text) continue;
    std::string error;
    const auto value = parse_number(flag, *text, error);
    if (!value) return refused(error);
    *target = *value;
  }

  const auto profile = plan_profile(request);
  if (!profile) return refused(with_flag_names(profile.error().message));
  if (args.has("--json")) {
    print_json(*profile);
  } else {
    print_human(*profile);
  }
  return 0;
}

}  // namespace tower::cli
