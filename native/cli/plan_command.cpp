// placeholder: being written
#include "cli/commands.hpp"
int tower::cli::plan_command(const std::vector<std::string>&) { return 2; }
