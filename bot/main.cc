#include "bot/cli/cli.h"

int main(int argc, char** argv) { return datamcp::bot::RunCli(argc, argv); }
