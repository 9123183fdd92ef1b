// The oracle of Scylla's role queries (tests/scylla_auth.rs): what
// auth/certificate_authenticator.cc (scylladb f4a4091c) does with one query and one string.
//   boost_regex QUERY SUBJECT
// prints  COMPILEERR <what>   when `boost::regex ex(query)` throws regex_error (:55),
//    or   MARKS <n>           ex.mark_count() (:56), then
//         MATCH <group 1>     boost::regex_search(s, m, ex) and m[1].str() (:139-141)
//    or   NOMATCH
//    or   RUNERR <what>       when the search throws (too complex)
#include <boost/regex.hpp>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
    if (argc != 3) { std::cerr << "usage: boost_regex QUERY SUBJECT\n"; return 2; }
    std::string query = argv[1];
    std::string subject = argv[2];
    boost::regex ex;
    try {
        ex = boost::regex(query);
    } catch (const boost::regex_error& e) {
        std::cout << "COMPILEERR " << e.what() << "\n";
        return 0;
    }
    std::cout << "MARKS " << ex.mark_count() << "\n";
    try {
        boost::smatch m;
        if (boost::regex_search(subject, m, ex)) {
            std::cout << "MATCH " << m[1].str() << "\n";
        } else {
            std::cout << "NOMATCH\n";
        }
    } catch (const std::exception& e) {
        std::cout << "RUNERR " << e.what() << "\n";
    }
    return 0;
}
