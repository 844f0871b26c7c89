#include "maildir.h"

#include <dirent.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace opsdesk::e2e {

std::vector<std::string> MaildirMessages(const std::string& maildir) {
  std::vector<std::string> out;
  for (const char* sub : {"/new", "/cur"}) {
    std::string dir = maildir + sub;
    DIR* d = opendir(dir.c_str());
    if (!d) continue;
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] == '.') continue;
      std::ifstream in(dir + "/" + e->d_name, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      out.push_back(text.str());
    }
    closedir(d);
  }
  return out;
}

std::optional<std::string> WaitForMail(const std::string& maildir, const std::string& to, const std::string& needle,
                                       std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  do {
    for (const auto& m : MaildirMessages(maildir)) {
      if (m.find(needle) != std::string::npos && m.find(to) != std::string::npos) return m;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (std::chrono::steady_clock::now() < deadline);
  return std::nullopt;
}

}  // namespace opsdesk::e2e
