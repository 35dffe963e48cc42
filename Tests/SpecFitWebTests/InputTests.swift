import Foundation
import SpecFitWeb
import Testing

/// Query decoding and validation, the loopback rules, and the command lines the inputs become.
@Suite struct InputTests {
    @Test func form_encoding_is_decoded_and_empty_fields_are_absent() throws {
        let q = try Query("target=llama3.1%3A70b&gpu=2x+rtx-3090&draft=&ctx=8192")
        #expect(try q.name("target") == "llama3.1:70b")
        #expect(try q.names("gpu") == ["2x rtx-3090"])
        #expect(try q.name("draft") == nil)
        #expect(try q.int("ctx", 256...10_000_000) == 8192)
    }

    @Test(arguments: [
        ("target=x&ctx=abc", 400), ("target=x&ctx=100", 422), ("target=x&ctx=1&ctx=2", 400), ("target=-x", 400),
        ("target=..%2Fetc", 422), ("target=a.gguf", 422), ("target=x&budget=nan", 400), ("target=x&budget=0", 422),
        ("target=x&swa-full=maybe", 400), ("target=x&quant=Q9", 422), ("draft=y", 400),
    ])
    func bad_values_get_their_status(query: String, status: Int) throws {
        do {
            _ = try ChooseGPUInputs.parse(try Query(query))
            Issue.record("\(query) was accepted")
        } catch {
            #expect(error.status == status, "\(query): \(error.message)")
        }
    }

    @Test func unknown_parameters_are_named() throws {
        let q = try Query("ctxx=8192")
        #expect(throws: WebError.badRequest("unknown parameter 'ctxx'; this address takes ctx, top")) { try q.check(allowed: ["ctx", "top"]) }
    }

    @Test(arguments: [
        ("127.0.0.1", true), ("127.1.2.3", true), ("localhost", true), ("::1", true), ("[::1]", true),
        ("0.0.0.0", false), ("::", false), ("192.168.1.10", false), ("127.0.0.1.example.com", false), ("128.0.0.1", false), ("example.com", false),
    ])
    func loopback_hosts(host: String, loopback: Bool) {
        #expect(Loopback.isLoopback(host) == loopback)
    }

    @Test(arguments: [("127.0.0.1:8080", true), ("localhost", true), ("[::1]:9000", true), ("evil.example:8080", false), ("127.0.0.1.nip.io:80", false)])
    func host_headers(authority: String, loopback: Bool) {
        #expect(Loopback.isLoopbackAuthority(authority) == loopback)
    }

    @Test func non_loopback_host_is_refused_without_allow_remote() throws {
        #expect(throws: WebError.self) { try ServeOptions(host: "0.0.0.0").validate() }
        try ServeOptions(host: "0.0.0.0", allowRemote: true).validate()
        try ServeOptions(host: "::1", port: 0).validate()
        #expect(throws: WebError.self) { try ServeOptions(port: 65536).validate() }
    }

    @Test func inputs_become_the_command_line() throws {
        let fit = try #require(try FitInputs.parse(try Query("target=llama-3.1-70b&draft=llama-3.2-1b&gpu=2x+rtx-3090&ctx=8192&swa-full=on")))
        #expect(fit.arguments(explicit: false).display() == "specfit fit llama-3.1-70b --draft llama-3.2-1b --gpu '2x rtx-3090' --ctx 8192 --swa-full")
        // What the server parses: every flag spelt out, names after `--`.
        let explicit = fit.arguments(explicit: true).forParser
        #expect(explicit.suffix(2) == ["--", "llama-3.1-70b"])
        #expect(explicit.contains("--quant") && explicit.contains("--flash-attn"))

        let compare = try #require(try CompareInputs.parse(try Query("gpu=a&gpu=b&target=t1&draft=&target=t2&draft=d2")))
        #expect(compare.pairs == [.init(target: "t1"), .init(target: "t2", draft: "d2")])
        #expect(compare.arguments(explicit: false).display() == "specfit compare a b --target t1 --draft none --target t2 --draft d2")
        #expect(throws: WebError.self) { try CompareInputs.parse(try Query("gpu=a&gpu=b&draft=d")) }

        let cost = try #require(try CostInputs.parse(try Query("target=t&hours-per-day=12&cloud-price-per-mtok=0.8")))
        #expect(cost.arguments(explicit: false).display() == "specfit cost t --hours-per-day 12 --cloud-price-per-mtok 0.8")
    }

    @Test func shell_quoting_survives_odd_names() {
        let a = CommandLineArguments(command: ["fit"], options: ["--draft", "it's"], positionals: ["a b"])
        #expect(a.display() == "specfit fit 'a b' --draft 'it'\\''s'")
    }
}
