import Foundation
import Testing
@testable import Catalog
import SpecFitCore

/// Names people copy from Ollama, Hugging Face, LM Studio and GGUF publishers, resolved against the bundled catalog.
///
/// The names are real: Ollama library tags (ollama.com/library/NAME/tags), Hugging Face repository ids of the
/// original and GGUF repositories (bartowski, unsloth, lmstudio-community, TheBloke, ggml-org, Qwen), LM Studio
/// model keys and display names, and GGUF file names as those repositories publish them (the four reference files
/// of DESIGN §7 among them). The expected ids are the catalog rows of those models.
@Suite struct NameResolutionTests {
    static let bundled = try? CatalogSnapshot.bundled()
    /// The resolvers over the bundled rows, built the way `fit` builds them from the database (id, name, Hugging
    /// Face repository and aliases of each model; id, name and aliases of each card).
    let models: ModelNameResolver
    let gpus: GPUNameResolver

    init() throws {
        let s = try #require(Self.bundled)
        models = ModelNameResolver(entries: s.records("models").map { ($0.id, [$0["name"], $0["hf_repo"]] + $0.list("aliases")) })
        gpus = GPUNameResolver(entries: s.records("gpus").map { ($0.id, $0["name"], $0.list("aliases")) })
    }

    static let realNames: [(name: String, id: String, quant: String?)] = [
        // Ollama tags
        ("llama3.1:70b", "llama-3.1-70b", nil),
        ("llama3.1:8b-instruct-q4_K_M", "llama-3.1-8b", "Q4_K_M"),
        ("llama3.2:1b-instruct-q8_0", "llama-3.2-1b", "Q8_0"),
        ("llama3.3:70b-instruct-q4_K_M", "llama-3.3-70b", "Q4_K_M"),
        ("qwen2.5-coder:1.5b", "qwen2.5-coder-1.5b", nil),
        ("qwen2.5-coder:32b-instruct-q4_K_M", "qwen2.5-coder-32b", "Q4_K_M"),
        ("qwen2.5:0.5b-instruct-fp16", "qwen2.5-0.5b", "F16"),
        ("gemma3:27b-it-qat", "gemma-3-27b", nil),
        ("gemma3:1b-it-q4_K_M", "gemma-3-1b", "Q4_K_M"),
        ("gemma2:9b-instruct-q5_K_M", "gemma-2-9b", "Q5_K_M"),
        ("mistral-nemo:12b-instruct-2407-q4_K_M", "mistral-nemo-12b", "Q4_K_M"),
        ("mistral:7b-instruct-v0.3-q4_K_M", "mistral-7b", "Q4_K_M"),
        ("mistral:7b-instruct-v0.2-q4_K_M", "mistral-7b-v0.2", "Q4_K_M"),
        ("mixtral:8x7b-instruct-v0.1-q4_K_M", "mixtral-8x7b", "Q4_K_M"),
        ("qwen3:30b-a3b-instruct-2507-q4_K_M", "qwen3-30b-a3b-2507", "Q4_K_M"),
        ("qwen3:8b-q4_K_M", "qwen3-8b", "Q4_K_M"),
        ("phi4:14b-q8_0", "phi-4", "Q8_0"),
        ("phi3:3.8b-mini-128k-instruct-q4_K_M", "phi-3-mini-128k", "Q4_K_M"),
        ("deepseek-v2:16b-lite-chat-q4_K_M", "deepseek-v2-lite", "Q4_K_M"),
        ("gpt-oss:20b", "gpt-oss-20b", nil),
        ("smollm2:135m-instruct-q8_0", "smollm2-135m", "Q8_0"),
        ("hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M", "llama-3.2-1b", "Q4_K_M"),
        // Hugging Face repositories
        ("meta-llama/Llama-3.1-70B-Instruct", "llama-3.1-70b", nil),
        ("meta-llama/Meta-Llama-3.1-8B-Instruct", "llama-3.1-8b", nil),
        ("Qwen/Qwen2.5-Coder-1.5B-Instruct", "qwen2.5-coder-1.5b", nil),
        ("google/gemma-3-27b-it", "gemma-3-27b", nil),
        ("mistralai/Mistral-Nemo-Instruct-2407", "mistral-nemo-12b", nil),
        ("microsoft/Phi-3.5-mini-instruct", "phi-3.5-mini", nil),
        ("deepseek-ai/DeepSeek-V3", "deepseek-v3", nil),
        ("openai/gpt-oss-120b", "gpt-oss-120b", nil),
        ("Qwen/Qwen3-235B-A22B-Thinking-2507", "qwen3-235b-a22b-2507", nil),
        ("HuggingFaceTB/SmolLM2-1.7B-Instruct", "smollm2-1.7b", nil),
        // GGUF repositories
        ("Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF", "qwen2.5-coder-1.5b", nil),
        ("bartowski/Qwen2.5-Coder-32B-Instruct-GGUF", "qwen2.5-coder-32b", nil),
        ("unsloth/gemma-3-27b-it-GGUF", "gemma-3-27b", nil),
        ("unsloth/Llama-3.3-70B-Instruct-GGUF", "llama-3.3-70b", nil),
        ("TheBloke/Llama-2-7B-Chat-GGUF", "llama-2-7b", nil),
        ("ggml-org/gpt-oss-20b-GGUF", "gpt-oss-20b", nil),
        ("lmstudio-community/Meta-Llama-3.1-8B-Instruct-GGUF", "llama-3.1-8b", nil),
        // LM Studio model keys and display names
        ("qwen2.5-coder-1.5b-instruct", "qwen2.5-coder-1.5b", nil),
        ("meta-llama-3.1-8b-instruct", "llama-3.1-8b", nil),
        ("qwen/qwen3-30b-a3b-2507", "qwen3-30b-a3b-2507", nil),
        ("Qwen2.5 Coder 1.5B Instruct", "qwen2.5-coder-1.5b", nil),
        ("Gemma 3 12B Instruct", "gemma-3-12b", nil),
        // GGUF file names
        ("Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf", "llama-3.1-8b", "Q4_K_M"),
        ("qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", "qwen2.5-coder-1.5b", "Q4_K_M"),
        ("qwen2.5-coder-0.5b-instruct-q4_k_m", "qwen2.5-coder-0.5b", "Q4_K_M"),
        ("gemma-3-270m-q4_k_m.gguf", "gemma-3-270m", "Q4_K_M"),
        ("SmolLM2-135M-Instruct.Q4_1.gguf", "smollm2-135m", "Q4_1"),
        ("llama-2-7b-chat.Q4_K_M.gguf", "llama-2-7b", "Q4_K_M"),
        ("mistral-7b-instruct-v0.2.Q4_K_M.gguf", "mistral-7b-v0.2", "Q4_K_M"),
        ("Mixtral-8x7B-Instruct-v0.1.Q4_K_M.gguf", "mixtral-8x7b", "Q4_K_M"),
        ("gemma-2-9b-it-Q6_K.gguf", "gemma-2-9b", "Q6_K"),
        ("Qwen3-30B-A3B-Instruct-2507-UD-Q4_K_XL.gguf", "qwen3-30b-a3b-2507", nil),
        ("gpt-oss-20b-mxfp4.gguf", "gpt-oss-20b", "MXFP4_MOE"),
        ("Llama-3.3-70B-Instruct-Q4_K_M-00001-of-00002.gguf", "llama-3.3-70b", "Q4_K_M"),
        ("phi-4-Q4_K_M.gguf", "phi-4", "Q4_K_M"),
        ("Mistral-Nemo-Instruct-2407-IQ4_XS.gguf", "mistral-nemo-12b", "IQ4_XS"),
        ("/home/me/models/Qwen3-8B-BF16.gguf", "qwen3-8b", "BF16"),
    ]

    @Test(arguments: realNames)
    func real_name_resolves(_ c: (name: String, id: String, quant: String?)) throws {
        guard case .found(let m) = models.resolve(c.name) else {
            Issue.record("\(c.name): \(models.resolve(c.name))")
            return
        }
        #expect(m.id == c.id, "\(c.name)")
        #expect(m.quant?.name == c.quant, "\(c.name): quant \(String(describing: m.quant))")
    }

    @Test func the_table_is_large_enough() { #expect(Self.realNames.count >= 30) }

    @Test func unknown_quantisations_are_kept_as_written() {
        guard case .found(let m) = models.resolve("Qwen3-30B-A3B-Instruct-2507-UD-Q4_K_XL.gguf") else { Issue.record("not found"); return }
        #expect(m.quant == nil && m.quantLabel == "UD-Q4_K_XL")
    }

    @Test(arguments: [
        ("llama3.1", ["llama-3.1-405b", "llama-3.1-70b", "llama-3.1-8b"]),
        ("qwen2.5-coder", ["qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b", "qwen2.5-coder-14b", "qwen2.5-coder-32b", "qwen2.5-coder-3b", "qwen2.5-coder-7b"]),
        ("mixtral", ["mixtral-8x22b", "mixtral-8x7b"]),
        ("gemma3:latest", ["gemma-3-12b", "gemma-3-1b", "gemma-3-270m", "gemma-3-27b", "gemma-3-4b"]),
    ])
    func a_family_without_a_size_lists_the_candidates(_ c: (String, [String])) {
        #expect(models.resolve(c.0) == .ambiguous(c.1))
    }

    @Test func an_alias_as_written_comes_before_words() {
        // Ollama's command-r:35b is Command R 08-2024, while the id of the v01 release reduces to the same words.
        let r = ModelNameResolver(entries: [("command-r-35b", ["command-r:35b-v0.1"]), ("command-r-08-2024", ["command-r:35b"])])
        #expect(r.resolve("command-r:35b") == .found(.init(id: "command-r-08-2024")))
        #expect(r.resolve("command-r-35b") == .found(.init(id: "command-r-35b")))
        #expect(r.resolve("Command-R:35B") == .found(.init(id: "command-r-08-2024")))
    }

    @Test func one_size_family_resolves() {
        // Ollama's `mistral` is mistral:7b; the catalog has one Mistral row that is only a size away.
        #expect(models.resolve("mistral") == .found(.init(id: "mistral-7b")))
    }

    /// A fine-tune or another variant never resolves to its base model's row. The catalog may carry these models
    /// under their own ids, so the resolver here holds only the base rows.
    @Test(arguments: ["DeepSeek-R1-Distill-Llama-8B-Q4_K_M.gguf", "NousResearch/Hermes-3-Llama-3.1-8B", "phi3:3.8b-mini-4k-instruct-q4_K_M",
                      "Llama-3.1-8B-Instruct-abliterated", "DeepSeek-R1-Distill-Qwen-7B"])
    func fine_tunes_and_other_variants_do_not_resolve_to_their_base(_ name: String) throws {
        let s = try #require(Self.bundled)
        let bases = s.records("models").filter { ["llama-3.1-8b", "phi-3-mini-128k", "qwen2.5-7b", "qwen2.5-math-7b"].contains($0.id) }
        #expect(bases.count >= 3)
        let r = ModelNameResolver(entries: bases.map { ($0.id, [$0["name"], $0["hf_repo"]] + $0.list("aliases")) })
        guard case .notFound = r.resolve(name) else { Issue.record("\(name) must not resolve: \(r.resolve(name))"); return }
    }

    @Test func exact_ids_win_and_typos_get_suggestions() {
        #expect(models.resolve("LLAMA-3.1-8B") == .found(.init(id: "llama-3.1-8b")))
        guard case .notFound(let s) = models.resolve("llama-3.1-9b") else { Issue.record("a typo must not resolve"); return }
        #expect(s.contains("llama-3.1-8b"))
    }

    @Test(arguments: [
        ("RTX 4090", "rtx-4090"), ("GeForce RTX 3090", "rtx-3090"), ("rtx-4090-laptop", "rtx-4090-laptop"), ("7900 XTX", "rx-7900-xtx"),
        ("NVIDIA H200", "h200"), ("M4 Max", "apple-m4-max-128gb"), ("Radeon 8060S", "ryzen-ai-max-395"), ("A100-SXM4-80GB", "a100-80gb-sxm"),
    ])
    func gpu_names_resolve(_ c: (String, String)) {
        #expect(gpus.resolve(c.0) == .found(c.1), "\(c.0)")
    }

    @Test(arguments: [
        ("RTX 4090 Laptop", ["rtx-4090-laptop", "rtx-4090-laptop-2757"]),
        ("RTX 5090 Laptop GPU", ["rtx-5090-laptop", "rtx-5090-laptop-2c58"]),
        ("4090M", ["rtx-4090-laptop", "rtx-4090-laptop-2757"]),
    ])
    func a_gpu_name_two_pci_rows_share_lists_them(_ c: (String, [String])) {
        #expect(gpus.resolve(c.0) == .ambiguous(c.1))
    }

    @Test func parsing() {
        let p = ModelNameResolver.parse("hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M")
        #expect(p.key == "llama 3.2 1b" && p.quant == .q4_K_M)
        #expect(ModelNameResolver.parse("Qwen2.5 Coder 1.5B Instruct").key == "qwen 2.5 coder 1.5b")
        #expect(ModelNameResolver.parse("mixtral:8x7b").key == "mixtral 8x7b")
        #expect(ModelNameResolver.removingQuantisation("qwen2.5-coder-1.5b-instruct-q4_k_m") == "qwen2.5-coder-1.5b-instruct")
        #expect(ModelNameResolver.removingQuantisation("gemma-3-27b") == "gemma-3-27b")
    }
}
