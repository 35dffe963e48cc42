import Catalog
import Foundation
import Testing

/// `fit` after `bench`: a measured α for the pair and task replaces the prior, with its date and token count,
/// and on the machine where it was measured the verdict adds "validated here: predicted X, measured Y".
@Suite struct BenchMeasurementTests {
    let cli = CLI()
    let machine = CLI.fixture("data/fixtures/machines/host-64gib.json")

    /// The machine key `bench` records, for the recorded host.
    func machineKey() throws -> String {
        let d = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: machine))) as? [String: Any])
        let cpu = try #require(d["cpu"] as? [String: Any]), mem = try #require(d["memory"] as? [String: Any])
        let gib = Int((Double(try #require(mem["totalBytes"] as? Int64)) / 1_073_741_824).rounded())
        return "\(try #require(cpu["model"] as? String)) / \(try #require(cpu["logicalCores"] as? Int)) threads / \(gib) GiB"
    }

    func record(machineKey: String) throws {
        let store = try CatalogStore(path: cli.db)
        try store.recordMeasurement(kind: "acceptance", subject: "qwen2.5-coder-1.5b|qwen2.5-coder-0.5b|code-completion", machine: machineKey,
                                    value: 0.812, unit: "alpha", measuredAt: "2026-11-29T21:00:00Z",
                                    details: "{\"machine\": \"\(machineKey)\", \"tokens\": 2304, \"predicted_spec_tps\": 20.5, \"spec_tps\": 18.25}",
                                    source: "specfit bench")
    }

    @Test func fit_uses_the_measured_alpha_and_says_so() throws {
        try record(machineKey: "another machine / 8 threads / 32 GiB")
        let args = ["fit", "qwen2.5-coder-1.5b", "--draft", "qwen2.5-coder-0.5b", "--task", "code-completion", "--gamma", "4", "--machine", machine]
        let text = try cli.run(args)
        #expect(text.code == 0, "\(text.err)")
        #expect(text.out.contains("α measured on 2026-11-29T21:00:00Z over 2304 tokens by specfit bench: 0.812"))
        #expect(!text.out.contains("validated here"))
        let json = try cli.run(args + ["--json"])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        let speed = try #require(obj["speed"] as? [String: Any]), alpha = try #require(speed["alpha"] as? [String: Any])
        #expect(alpha["alpha"] as? Double == 0.812)
        let measured = try #require(obj["measured"] as? [String: Any])
        #expect(measured["sameMachine"] as? Bool == false && measured["tokens"] as? Int == 2304)
        // Without a measurement for the task, the published prior stays.
        let other = try cli.run(["fit", "qwen2.5-coder-1.5b", "--draft", "qwen2.5-coder-0.5b", "--task", "chat", "--machine", machine])
        #expect(!other.out.contains("α measured"))
    }

    @Test func fit_on_the_measuring_machine_prints_predicted_versus_measured() throws {
        try record(machineKey: try machineKey())
        let r = try cli.run(["fit", "qwen2.5-coder-1.5b", "--draft", "qwen2.5-coder-0.5b", "--task", "code-completion", "--machine", machine])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("validated here: predicted 20.5 tok/s, measured 18.2 (+12%)"))
    }

    @Test func bench_rejects_bad_options_before_any_work() throws {
        let none = try cli.run(["bench", "/nonexistent.gguf"])
        #expect(none.code != 0 && none.err.contains("exactly one of"))
        let gamma = try cli.run(["bench", "/nonexistent.gguf", "--ngram", "3", "--gamma", "0"])
        #expect(gamma.code != 0 && gamma.err.contains("--gamma"))
        let task = try cli.run(["bench", "/nonexistent.gguf", "--ngram", "3", "--task", "poetry"])
        #expect(task.code != 0 && task.err.contains("unknown --task"))
        let file = try cli.run(["bench", "/nonexistent.gguf", "--ngram", "3", "--prompts", CLI.fixture("data/prompts")])
        #expect(file.code == 2, "\(file.err)")
    }
}
