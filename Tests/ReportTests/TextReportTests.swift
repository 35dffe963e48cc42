import Testing
@testable import Report
import SpecFitCore

@Suite struct TextReportTests {
    /// Llama-3-8B shapes from its config.json, on a CPU-only host of 16 GiB.
    static func result() -> FitResult { FitEngine.evaluate(request()) }

    static func request() -> FitRequest {
        let m = ModelSpec(id: "llama-3-8b", family: "llama3", name: "Llama 3 8B", architecture: "llama", paramsTotalB: 8.03,
                          paramsActiveB: 8.03, nLayer: 32, nEmbd: 4096, nHead: 32, nHeadKV: 8, headDimK: 128, headDimV: 128,
                          nFF: 14336, vocabSize: 128256, tokenizerID: "llama3", nCtxTrain: 8192, tiedEmbeddings: false,
                          hfRepo: "meta-llama/Meta-Llama-3-8B", source: "test")
        let tok = TokenizerFacts(vocabType: "bpe", vocabSize: 128256, bosID: 128000, eosID: 128009, addBOS: true, addEOS: false)
        let host = HostResources(cpuName: "Test CPU", usableRAMBytes: 16 << 30, ramBasis: "test", bandwidthGBps: 50,
                                 bandwidthBasis: "test", peakGFLOPS: 500, threads: 8)
        return FitRequest(target: m, targetFtype: .q4_K_M, targetTokenizer: tok, gpus: [], host: host, machineLabel: "test host")
    }

    @Test func verdict_first_then_memory_speed_commands() {
        let text = TextReport.fit(Self.result())
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].hasPrefix("CPU ONLY — llama-3-8b Q4_K_M"))
        #expect(lines[0].contains("n_ctx 4096"))
        let memory = try! #require(lines.firstIndex(of: "Memory (GiB)"))
        let speed = try! #require(lines.firstIndex { $0.hasPrefix("Speed") })
        let commands = try! #require(lines.firstIndex(of: "Commands"))
        #expect(memory < speed && speed < commands)
        #expect(text.contains("llama-server -m llama-3-8b-Q4_K_M.gguf -ngl 0 -c 4096 -ctk f16 -ctv f16"))
        // 4.58 GiB of weights by llama.cpp's quantize table (memory-model.md §1.6).
        #expect(text.contains("4.58 GiB weights"))
    }

    @Test func machine_without_gpu_says_so() {
        let m = Machine(cpu: CPUInfo(model: "Test CPU", logicalCores: 4), memory: MemoryInfo(totalBytes: 8 << 30), origin: "test")
        #expect(TextReport.machine(m).contains("no GPU"))
    }
}
