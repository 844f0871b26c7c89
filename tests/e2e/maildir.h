// Reading the Maildir that scripts/with-mail.sh's SMTP server delivers to.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace opsdesk::e2e {

// Every message file in the Maildir (new/ and cur/), as raw text.
std::vector<std::string> MaildirMessages(const std::string& maildir);

// The first message that holds both `to` and `needle` (ids repeat across test
// databases; addresses are unique), waiting for it to arrive; the timeout only
// keeps a broken server from hanging the test.
std::optional<std::string> WaitForMail(const std::string& maildir, const std::string& to, const std::string& needle,
                                       std::chrono::seconds timeout = std::chrono::seconds(30));

}  // namespace opsdesk::e2e
