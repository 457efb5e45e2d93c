// Runs a libFuzzer target without libFuzzer: every regular file named on the command line, or found
// (recursively) in a directory named there, is passed to LLVMFuzzerTestOneInput once, in sorted path
// order, so that the corpus doubles as a regression test under any compiler and sanitizer.
//
//   g++ -std=c++17 -g -fsanitize=address,undefined -Iinclude fuzz/csv_fuzz.cpp fuzz/replay_main.cpp -o csv_replay
//   ./csv_replay fuzz/corpus/csv
//
// Exit status: 0 when at least one input ran (a failing input crashes or traps instead), 1 when no
// input was found, 2 when an argument is neither a file nor a directory or a file cannot be read.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    std::vector<fs::path> inputs;
    for (int i = 1; i < argc; ++i) {
        const fs::path arg(argv[i]);
        std::error_code ec;
        if (fs::is_directory(arg, ec)) {
            for (fs::recursive_directory_iterator it(arg, ec), end; !ec && it != end; it.increment(ec)) {
                if (it->is_regular_file(ec)) inputs.push_back(it->path());
            }
        } else if (fs::is_regular_file(arg, ec)) {
            inputs.push_back(arg);
        } else {
            std::fprintf(stderr, "replay: '%s' is neither a file nor a directory\n", argv[i]);
            return 2;
        }
        if (ec) {
            std::fprintf(stderr, "replay: cannot list '%s': %s\n", argv[i], ec.message().c_str());
            return 2;
        }
    }
    std::sort(inputs.begin(), inputs.end());
    for (const fs::path& p : inputs) {
        std::ifstream in(p, std::ios::binary);
        if (!in) {
            std::fprintf(stderr, "replay: cannot read '%s'\n", p.string().c_str());
            return 2;
        }
        const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::fprintf(stderr, "replay: %s (%zu bytes)\n", p.string().c_str(), bytes.size());
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    }
    std::printf("replay: ran %zu input%s\n", inputs.size(), inputs.size() == 1 ? "" : "s");
    return inputs.empty() ? 1 : 0;
}
