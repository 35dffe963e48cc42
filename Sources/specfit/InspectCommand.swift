import ArgumentParser
import Catalog
import Foundation
import GGUF
import SpecFitCore

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "What a GGUF file holds: architecture, parameters, ftype, bytes per ggml type, context, tokenizer, and its cost at --ctx.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A GGUF file (or the first shard of a split model, *-00001-of-0000N.gguf).")
    var file: String

    @Option(name: .long, help: "Context length n_ctx for the KV-cache and compute-buffer cost.")
    var ctx = 4096

    @Option(name: .long, help: "KV cache type (f16, q8_0, q4_0 …).")
    var ctk = "f16"

    struct Output: Encodable {
        var path: String
        var shards: [String]
        var fileBytes: Int64
        var version: UInt32
        var bigEndian: Bool
        var alignment: Int
        var dataOffset: Int64
        var architecture: String
        var name: String
        var ftype: String?
        var ftypeID: Int?
        var parameterCount: Int64
        var weightBytes: Int64
        var tensorCount: Int
        var bytesPerType: [String: Int64]
        var tensorsPerType: [String: Int]
        var model: ModelSpec
        var tokenizer: TokenizerFacts
        var tokenizerModel: String?
        var tokenizerPre: String?
        var nCtx: Int
        var kvCacheBytes: Int64
        var computeBufferBytes: Int64
        var totalBytesAtCtx: Int64
        var warnings: [String]
        var headerBytesRead: Int64
    }

    func run() throws {
        guard (256...10_000_000).contains(ctx) else { throw CLIError(message: "--ctx \(ctx): give 256…10000000", code: 1) }
        guard let kvType = GGMLType(name: ctk), GGMLType.kvCacheTypes.contains(kvType) else {
            throw CLIError(message: "unknown --ctk \(ctk)", code: 2)
        }
        let out: Output
        do {
            let f = try GGUFModel.open(path: file)
            let d = try f.modelDescription()
            let config = RunConfig(nCtx: ctx, cacheTypeK: kvType, cacheTypeV: kvType)
            let mem = ModelMemory(model: d.spec, ftype: d.fileType ?? .f16, config: config, isDraft: false, flashAttention: true,
                                  gammaMax: 0, tensors: d.tensors)
            out = Output(path: file, shards: f.shardPaths, fileBytes: f.fileBytes, version: f.version, bigEndian: f.isBigEndian,
                         alignment: f.alignment, dataOffset: f.dataOffset, architecture: d.spec.architecture, name: d.spec.name,
                         ftype: d.fileType?.name, ftypeID: d.fileTypeID, parameterCount: mem.parameterCount, weightBytes: d.weightBytes,
                         tensorCount: f.tensors.count,
                         bytesPerType: Dictionary(uniqueKeysWithValues: d.bytesByType.map { ($0.key.name, $0.value) }),
                         tensorsPerType: Dictionary(uniqueKeysWithValues: d.tensorCountByType.map { ($0.key.name, $0.value) }),
                         model: d.spec, tokenizer: d.tokenizer, tokenizerModel: d.tokenizerModel, tokenizerPre: d.tokenizerPre,
                         nCtx: ctx, kvCacheBytes: mem.kvBytes, computeBufferBytes: mem.computeBufferBytes,
                         totalBytesAtCtx: d.weightBytes + mem.kvBytes + mem.computeBufferBytes + mem.outputBufferBytes,
                         warnings: d.warnings.map { "\($0)" }, headerBytesRead: f.bytesRead)
        } catch let e as CLIError {
            throw e
        } catch {
            throw CLIError(message: error.localizedDescription, code: 2)
        }
        if global.json { try printJSON(out); return }
        let m = out.model
        var o: [String] = []
        o.append("\(out.path): \(out.architecture) \"\(out.name)\", \(out.ftype ?? "ftype \(out.ftypeID.map(String.init) ?? "unknown")"), " +
                 String(format: "%.3f B parameters, %@ of weights in %d tensors", Double(out.parameterCount) / 1e9, formatGiB(out.weightBytes), out.tensorCount))
        o.append("File      GGUF v\(out.version)\(out.bigEndian ? " big-endian" : ""), \(out.fileBytes) bytes in \(out.shards.count) file(s), alignment \(out.alignment), data at byte \(out.dataOffset); header read: \(out.headerBytesRead) bytes")
        o.append("Shape     \(m.nLayer) layers, n_embd \(m.nEmbd), \(m.nHead) heads, \(m.nHeadKV) KV heads × \(m.headDimK)/\(m.headDimV), n_ff \(m.nFF), context \(m.nCtxTrain)" +
                 (m.slidingWindow > 0 ? ", sliding window \(m.slidingWindow) (period \(m.swaPeriod))" : "") +
                 (m.isMoE ? ", \(m.nExpert) experts (\(m.nExpertUsed) used, FFN \(m.nFFExpert))" : "") + (m.isMLA ? ", MLA kv_lora \(m.kvLoraRank)" : "") +
                 (m.tiedEmbeddings ? ", tied embeddings" : ""))
        let t = out.tokenizer
        o.append("Tokenizer \(out.tokenizerModel ?? "?") (\(t.vocabType)), pre \(out.tokenizerPre ?? "–"), \(t.vocabSize) tokens, BOS \(t.bosID.map(String.init) ?? "–") (add \(t.addBOS)), EOS \(t.eosID.map(String.init) ?? "–") (add \(t.addEOS))")
        o.append("Types")
        for (name, bytes) in out.bytesPerType.sorted(by: { $0.value > $1.value }) {
            o.append("  \(name.padding(toLength: 8, withPad: " ", startingAt: 0)) \(String(format: "%4d", out.tensorsPerType[name] ?? 0)) tensors  \(String(format: "%10.2f MiB", mib(bytes)))")
        }
        o.append("At n_ctx \(ctx) (\(ctk) KV): weights \(formatGiB(out.weightBytes)) + KV \(formatGiB(out.kvCacheBytes)) + compute \(formatGiB(out.computeBufferBytes)) = \(formatGiB(out.totalBytesAtCtx))")
        for w in out.warnings { o.append("Warning   \(w)") }
        print(o.joined(separator: "\n"))
    }
}

struct PairCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pair-check",
        abstract: "Can DRAFT serve TARGET for speculative decoding? llama.cpp's and vLLM's tokenizer rules, each with the values compared.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Target: a GGUF path or a catalog id.")
    var target: String

    @Argument(help: "Draft: a GGUF path or a catalog id.")
    var draft: String

    @Option(name: .long, help: "Only this runtime: llama.cpp or vllm (default both).")
    var runtime: String?

    func run() throws {
        if let r = runtime, !["llama.cpp", "llamacpp", "vllm"].contains(r.lowercased()) {
            throw CLIError(message: "unknown --runtime '\(r)'; use llama.cpp or vllm", code: 1)
        }
        let catalog = try global.openCatalog()
        let factory = try FitRequestFactory(catalog: catalog, global: global, probe: false)
        let both = FitRequestFactory.isPath(target) && FitRequestFactory.isPath(draft)
        let t = try factory.resolve(target, tokenTexts: both)
        let d = try factory.resolve(draft, tokenTexts: both)
        var verdicts: [CompatibilityVerdict] = []
        if runtime == nil || runtime!.lowercased().hasPrefix("llama") { verdicts.append(Compatibility.llamaCpp(target: t.tokenizer, draft: d.tokenizer)) }
        if runtime == nil || runtime!.lowercased() == "vllm" { verdicts.append(Compatibility.vllm(target: t.tokenizer, draft: d.tokenizer)) }
        if global.json {
            struct Out: Encodable { let target: String; let draft: String; let verdicts: [CompatibilityVerdict] }
            try printJSON(Out(target: t.spec.id, draft: d.spec.id, verdicts: verdicts))
            return
        }
        for v in verdicts {
            print("\(v.runtime.rawValue): \(v.compatible ? "ACCEPTS" : "REJECTS") \(d.spec.id) as a draft for \(t.spec.id)")
            for r in v.rules { print("  \(r.passed ? "pass" : "FAIL")  \(r.rule.padding(toLength: 12, withPad: " ", startingAt: 0)) \(r.detail)") }
        }
    }
}
