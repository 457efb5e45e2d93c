// libFuzzer target for mldp::io::parse_csv. The first byte of an input chooses the options, the rest
// is the CSV text:
//   bits 0-1  delimiter: ',' ';' '\t' '|'
//   bit  2    header off
//   bit  3    trim off
//   bits 4-6  0 nothing more, 1 first column forced numeric, 2 forced categorical, 3 forced time,
//             4 time format "%Y%m%d" on the first column, 5 "%Y-%m-%dT%H:%M:%S.%f%z" on the first
//             column, 6 missing_tokens {"-", "?"}, 7 skip_lines = 1 and max_columns = 4
//   bit  7    quote '\'' instead of '"'
// Variants 1-5 name the first column of a plain parse of the same text, so that they reach the
// forced conversions instead of stopping at "no column named ...".
//
// Only mldp::error may escape parse_csv; anything else (another exception, a crash, a sanitizer
// report) is a bug. A frame that parses must be consistent; __builtin_trap() when it is not.
//
//   clang++-14 -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude fuzz/csv_fuzz.cpp -o csv_fuzz
//   ./csv_fuzz -max_total_time=120 fuzz/corpus/csv
// Without libFuzzer, link fuzz/replay_main.cpp instead to run the corpus as a regression test.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <variant>

#include "mldp/io/csv.hpp"

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

// Every column has rows() values, names are unique and non-empty, codes index the dictionary.
void check_frame(const mldp::frame& f) {
    std::unordered_set<std::string> names;
    for (const mldp::frame::column& c : f.all()) {
        check(!c.name.empty());
        check(names.insert(c.name).second);
        check(c.size() == f.rows());
        if (const auto* cat = std::get_if<mldp::categorical_column>(&c.data)) {
            const auto k = static_cast<std::int64_t>(cat->dictionary().size());
            for (const std::int32_t code : cat->codes()) check(code >= -1 && code < k);
        } else if (const auto* t = std::get_if<mldp::time_column>(&c.data)) {
            if (t->unit == mldp::time_unit::days) {
                // Four-digit years: 0000-01-01 .. 9999-12-31.
                for (const std::int64_t d : t->ticks) {
                    check(d == mldp::time_column::missing || (d >= -719528 && d <= 2932896));
                }
            }
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::uint8_t select = size > 0 ? data[0] : 0;
    const std::string_view text = size > 0 ? std::string_view(reinterpret_cast<const char*>(data + 1), size - 1)
                                           : std::string_view();
    mldp::io::csv_options o;
    o.delimiter = ",;\t|"[select & 3];
    o.header = (select & 4) == 0;
    o.trim = (select & 8) == 0;
    o.quote = (select & 128) != 0 ? '\'' : '"';
    const int variant = (select >> 4) & 7;
    if (variant == 6) o.missing_tokens = {"-", "?"};
    if (variant == 7) {
        o.skip_lines = 1;
        o.max_columns = 4;
    }
    try {
        mldp::frame f = mldp::io::parse_csv(text, o, "fuzz.csv");
        check_frame(f);
        if (variant >= 1 && variant <= 5 && f.columns() > 0) {
            const std::string first = f.at(0).name;
            switch (variant) {
                case 1: o.kinds = {{first, mldp::column_kind::numeric}}; break;
                case 2: o.kinds = {{first, mldp::column_kind::categorical}}; break;
                case 3: o.kinds = {{first, mldp::column_kind::time}}; break;
                case 4: o.time_formats = {{first, "%Y%m%d"}}; break;
                default: o.time_formats = {{first, "%Y-%m-%dT%H:%M:%S.%f%z"}}; break;
            }
            f = mldp::io::parse_csv(text, o, "fuzz.csv");
            check_frame(f);
            const mldp::column_kind want = variant == 1   ? mldp::column_kind::numeric
                                           : variant == 2 ? mldp::column_kind::categorical
                                                          : mldp::column_kind::time;
            check(f.at(0).kind() == want);
        }
    } catch (const mldp::error&) {
        // Malformed input or a value that does not fit its column: the expected outcome.
    }
    return 0;
}
