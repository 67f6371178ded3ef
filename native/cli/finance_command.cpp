// placeholder: being written
#include "cli/commands.hpp"
int tower::cli::finance_command(const std::vector<std::string>&) { return 2; }
