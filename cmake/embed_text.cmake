# Writes OUTPUT, a C++ file defining `extern const std::string_view SYMBOL` holding INPUT's text.
file(READ ${INPUT} content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${content}")
file(WRITE ${OUTPUT} "#include <string_view>\nnamespace opsdesk::generated {\nstatic const char kData[] = {${bytes} 0};\nextern const std::string_view ${SYMBOL}(kData, sizeof(kData) - 1);\n}\n")
