#include "bot/app/startup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gitops/common/log.h"
#include "gitops/common/random.h"

extern char** environ;

namespace datamcp::bot {
namespace {

std::map<std::string, std::string> ProcessEnv() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return env;
}

}  // namespace

Result<config::Config> LoadConfig(const CommonOptions& options) {
  config::Sources sources{.file = options.config_file, .env = ProcessEnv()};
  if (sources.file.empty()) {
    if (auto it = sources.env.find("DATAMCP_CONFIG"); it != sources.env.end()) {
      sources.file = it->second;
    }
  }
  std::vector<std::string> warnings;
  DATAMCP_ASSIGN_OR_RETURN(config::Config config, config::Load(sources, &warnings));
  log::Level level = log::Level::kInfo;
  log::Format format = log::Format::kAuto;
  log::ParseLevel(config.log.level, &level);
  log::ParseFormat(config.log.format, &format);
  log::Init(level, format);
  for (const auto& w : warnings) log::Warn("config_warning", {{"message", w}});
  return config;
}

Result<std::string> PrepareWorkDir(const config::Config& config) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path dir = fs::absolute(config.work_dir, ec);
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    return InvalidArgument("work_dir: cannot create '" + dir.string() + "': " + ec.message());
  }
  chmod(dir.c_str(), 0700);
  return dir.lexically_normal().string();
}

Status EnsureHs256Secret(config::Config& config) {
  if (config.auth.mode != "jwt" || config.auth.algorithm != "HS256" ||
      !config.auth.hs256_secret.empty()) {
    return Status::Ok();
  }
  DATAMCP_ASSIGN_OR_RETURN(std::string work_dir, PrepareWorkDir(config));
  std::filesystem::path dir = std::filesystem::path(work_dir) / "auth";
  std::filesystem::create_directories(dir);
  std::filesystem::path file = dir / "hs256.key";
  std::ifstream in(file);
  if (in) {
    std::stringstream ss;
    ss << in.rdbuf();
    std::string key = ss.str();
    while (!key.empty() && key.back() == '\n') key.pop_back();
    if (key.size() < 32)
      return InvalidArgument("auth.hs256_secret: " + file.string() + " is too short");
    config.auth.hs256_secret = Secret(key);
    return Status::Ok();
  }
  DATAMCP_ASSIGN_OR_RETURN(std::string key, RandomHex(32));
  int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return InvalidArgument("auth.hs256_secret: cannot create " + file.string());
  std::string line = key + "\n";
  bool ok = write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ok = fsync(fd) == 0 && ok;
  close(fd);
  if (!ok) return Internal("cannot write " + file.string());
  log::Info("auth_key_generated",
            {{"file", file.string()}, {"hint", "mint tokens with `datamcp token`"}});
  config.auth.hs256_secret = Secret(key);
  return Status::Ok();
}

}  // namespace datamcp::bot
