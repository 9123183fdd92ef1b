// The yaml-cpp oracle of how ScyllaDB reads scylla.yaml (issue #34 item 6).
//
// Reads a scylla.yaml path and prints, line by line, what Scylla's `config_file` ends up with
// for the options that bear on TLS. yaml-cpp is driven exactly as Scylla drives it (sources:
// scylladb/scylladb f4a4091ca28e):
//
// - `utils/config_file.cc:367-375` `read_from_file` reads the whole file into a buffer and
//   calls `read_from_yaml(sstring(buf.begin(), buf.end()))`, which hands `yaml.c_str()` to the
//   `const char*` overload (`:282-284`): a NUL byte ends the text.
// - `utils/config_file.cc:286-341` `read_from_yaml`: `YAML::Load(yaml)` (`:302`); a throw
//   propagates to `main.cc:214-230` `read_config`, which logs `Could not read configuration
//   file` and rethrows: Scylla does not start. We print `SYNTAX <message>`.
// - `:303-304` `for (auto node : doc) { auto label = node.first.as<sstring>(); ...`: the key
//   conversion is OUTSIDE the try block, so a top-level key that is not a scalar (null, list,
//   map) or a document that is a sequence (its iterator's `first` is an invalid node) throws
//   out of `read_from_yaml`: Scylla does not start either. We print `FATAL <message>`.
// - `:306-310` the label is matched against each option's name or alias
//   (`config_src::matches`, `:200-214`); unknown labels are only logged.
// - `:326-328` `if (node.second.IsNull()) continue;`: a top-level null keeps the option as it
//   was (the default, or what an earlier entry set).
// - `:331-340` `cfg.set_value(node.second, _initialization_completed ? SettingsFile : None)`
//   inside try; at start-up `_initialization_completed` is false (`:228`), so every entry is
//   applied in file order and a later duplicate wins. A conversion that throws goes to the
//   handler, which `main.cc:224-230` makes log only: the option keeps its value.
// - `utils/config_file_impl.hh:329-335` `named_value<T>::set_value` is `(*this)(node.as<T>())`.
// - `utils/config_file_impl.hh:46-72`: `convert<sstring>` delegates to `convert<std::string>`
//   (scalars only; NOT `as<std::string>()`, whose `as_if` special case would turn a null into
//   "null"), and the `std::unordered_map` convert requires `IsMap()` and does
//   `rhs[n.first.as<K>()] = n.second.as<V>()`: the last duplicate key wins, and any key or
//   value that is not a scalar throws, dropping the whole map.
// - Types (`db/config.hh`): the four `*_encryption_options` are `string_map`
//   (`std::unordered_map<sstring, sstring>`, `utils/config_file.hh:80`); `authenticator` is
//   `sstring` (:391); the ports are `uint16_t` (:309, :355-361, :518) except `ssl_storage_port`,
//   which is `uint32_t` (:402); `auth_certificate_role_queries` is
//   `std::vector<std::unordered_map<sstring, sstring>>` (:590). `native_transport_port` has the
//   alias `cql_port` (`db/config.cc:1218`).
//
// Report (one fact per line; keys and values escape `\` `\n` `\r` `\t`):
//   SYNTAX <message>                       (YAML::Load threw; nothing else is printed)
//   FATAL <message>                        (read_from_yaml threw outside its try)
//   OPTION <name> ABSENT|NULL|DROPPED|MAP  then  KEY <name> <key>=<value>  sorted by key
//   QUERIES ABSENT|NULL|DROPPED|LIST <n>   then  QUERY <i> <key>=<value>  sorted by key
//   SCALAR <name> ABSENT|NULL|DROPPED|VALUE <scalar text>   (ports: then PORT <name> <number>)
// With duplicates the state is: the last entry that converted (MAP/VALUE/LIST), else DROPPED
// if any entry's conversion threw, else NULL if any entry was null, else ABSENT.
//
// Build: g++ -std=c++17 -O1 -o scylla_yaml scylla_yaml.cpp -lyaml-cpp

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <exception>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

// Stands for seastar::sstring: a distinct type, so that `as<sstr>()` goes through the generic
// `as_if` and `convert<sstr>` (as `as<sstring>()` does in Scylla), not `as_if<std::string>`.
struct sstr {
    std::string s;
    bool operator==(const sstr& o) const { return s == o.s; }
};
template <>
struct std::hash<sstr> {
    size_t operator()(const sstr& v) const { return std::hash<std::string>()(v.s); }
};

namespace YAML {
// utils/config_file_impl.hh:46-56
template <>
struct convert<sstr> {
    static bool decode(const Node& node, sstr& rhs) {
        std::string tmp;
        if (!convert<std::string>::decode(node, tmp)) {
            return false;
        }
        rhs.s = tmp;
        return true;
    }
};

// utils/config_file_impl.hh:58-72
template <typename K, typename V, typename... Rest>
struct convert<std::unordered_map<K, V, Rest...>> {
    using map_type = std::unordered_map<K, V, Rest...>;

    static bool decode(const Node& node, map_type& rhs) {
        if (!node.IsMap()) {
            return false;
        }
        rhs.clear();
        for (auto& n : node) {
            rhs[n.first.as<K>()] = n.second.as<V>();
        }
        return true;
    }
};
}  // namespace YAML

using string_map = std::unordered_map<sstr, sstr>;

static std::string esc(const std::string& in) {
    std::string out;
    for (char c : in) {
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: out += c;
        }
    }
    return out;
}

static std::map<std::string, std::string> sorted(const string_map& m) {
    std::map<std::string, std::string> out;
    for (auto& [k, v] : m) {
        out[k.s] = v.s;
    }
    return out;
}

// One named_value<T>: what it holds after the loop, and what the loop saw.
template <typename T>
struct slot {
    std::optional<T> value;   // the last conversion that succeeded
    std::string raw;          // that entry's scalar text (scalars only)
    bool dropped = false;     // some entry's conversion threw (logged; value kept)
    bool null = false;        // some entry was null (skipped)

    const char* state() const {
        return value ? nullptr : dropped ? "DROPPED" : null ? "NULL" : "ABSENT";
    }

    // utils/config_file.cc:326-340 with config_file_impl.hh:329-335
    void apply(const YAML::Node& v) {
        if (v.IsNull()) {
            null = true;
            return;
        }
        try {
            T t = v.as<T>();
            value = std::move(t);
            raw = v.IsScalar() ? v.Scalar() : std::string();
        } catch (std::exception& e) {
            std::cerr << "bad conversion (logged by Scylla, option kept): " << e.what() << "\n";
            dropped = true;
        }
    }
};

static const char* MAPS[] = {"server_encryption_options", "client_encryption_options",
                             "alternator_encryption_options", "vector_store_encryption_options"};
static const char* PORTS16[] = {"native_transport_port", "native_transport_port_ssl",
                                "native_shard_aware_transport_port",
                                "native_shard_aware_transport_port_ssl", "storage_port",
                                "alternator_https_port"};

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: scylla_yaml <scylla.yaml>\n";
        return 2;
    }
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) {
        std::cerr << "cannot open " << argv[1] << "\n";
        return 2;
    }
    std::stringstream buf;
    buf << in.rdbuf();
    const std::string text = buf.str();

    std::map<std::string, slot<string_map>> maps;
    for (auto n : MAPS) maps[n];
    std::map<std::string, slot<uint16_t>> ports;
    for (auto n : PORTS16) ports[n];
    slot<uint32_t> ssl_storage_port;
    slot<sstr> authenticator;
    slot<std::vector<string_map>> queries;

    YAML::Node doc;
    try {
        doc = YAML::Load(text.c_str());  // config_file.cc:284 (c_str) and :302
    } catch (std::exception& e) {
        std::cout << "SYNTAX " << esc(e.what()) << "\n";
        return 0;
    }
    try {
        for (auto node : doc) {
            auto label = node.first.as<sstr>().s;  // outside the try: a throw stops Scylla
            // config_src::matches: the name, or the alias (cql_port, db/config.cc:1218)
            if (label == "cql_port") label = "native_transport_port";
            if (auto i = maps.find(label); i != maps.end()) {
                i->second.apply(node.second);
            } else if (auto p = ports.find(label); p != ports.end()) {
                p->second.apply(node.second);
            } else if (label == "ssl_storage_port") {
                ssl_storage_port.apply(node.second);
            } else if (label == "authenticator") {
                authenticator.apply(node.second);
            } else if (label == "auth_certificate_role_queries") {
                queries.apply(node.second);
            }
        }
    } catch (std::exception& e) {
        std::cout << "FATAL " << esc(e.what()) << "\n";
        return 0;
    }

    for (auto n : MAPS) {
        auto& s = maps[n];
        if (auto st = s.state()) {
            std::cout << "OPTION " << n << " " << st << "\n";
            continue;
        }
        std::cout << "OPTION " << n << " MAP\n";
        for (auto& [k, v] : sorted(*s.value)) {
            std::cout << "KEY " << n << " " << esc(k) << "=" << esc(v) << "\n";
        }
    }
    if (auto st = queries.state()) {
        std::cout << "QUERIES " << st << "\n";
    } else {
        std::cout << "QUERIES LIST " << queries.value->size() << "\n";
        size_t i = 0;
        for (auto& m : *queries.value) {
            for (auto& [k, v] : sorted(m)) {
                std::cout << "QUERY " << i << " " << esc(k) << "=" << esc(v) << "\n";
            }
            ++i;
        }
    }
    auto scalar = [](const std::string& name, auto& s, bool port) {
        if (auto st = s.state()) {
            std::cout << "SCALAR " << name << " " << st << "\n";
            return;
        }
        std::cout << "SCALAR " << name << " VALUE " << esc(s.raw) << "\n";
        if constexpr (!std::is_same_v<std::decay_t<decltype(*s.value)>, sstr>) {
            if (port) std::cout << "PORT " << name << " " << unsigned(*s.value) << "\n";
        }
    };
    for (auto n : PORTS16) scalar(n, ports[n], true);
    scalar("ssl_storage_port", ssl_storage_port, true);
    scalar("authenticator", authenticator, false);
    return 0;
}
