import Foundation
import SpecFitCore
import SwiftCSV

/// Runs the fit engine on every published measurement of `data/validation/` (issue #9) and reports the error.
///
/// Only the mechanisms are modelled; no constant is fitted to these rows. Where a row needs something SpecFit
/// does not model (a multi-GPU split, a CPU whose bandwidth is unknown), it is skipped with the reason.
public struct AccuracyHarness {
    let models: [ModelSpec]
    let gpus: [GPUSpec]
    let acceptance: [AcceptanceRecord]

    public init(catalog: CatalogStore) throws {
        models = try catalog.models()
        gpus = try catalog.gpus()
        acceptance = try catalog.acceptance()
    }

    func rows(_ dir: URL, _ name: String) throws -> [[String: String]] {
        let url = dir.appendingPathComponent(name)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw CatalogError.badRow(table: "validation/\(name)", line: 0, reason: "cannot read \(url.path); run from the repository or give --data DIR")
        }
        return try CSVTable(name: "validation/\(name)", text: text).rows
    }

    /// The catalog model a row refers to: `model_id`, else a `same_shapes_as=ID` note (same tensor shapes).
    func model(_ r: [String: String], idKey: String = "model_id") -> (ModelSpec, String)? {
        if let id = r[idKey], !id.isEmpty, let m = models.first(where: { $0.id == id }) { return (m, "") }
        if let notes = r["notes"], let range = notes.range(of: "same_shapes_as=") {
            let id = String(notes[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }).trimmingCharacters(in: CharacterSet(charactersIn: "."))
            if let m = models.first(where: { $0.id == id }) { return (m, "shapes of \(id) (the measured model is a sibling); ") }
        }
        return nil
    }

    func card(_ r: [String: String]) -> GPUSpec? {
        if let id = r["gpu_id"], !id.isEmpty { return gpus.first { $0.id == id } }
        if let notes = r["notes"], let range = notes.range(of: "same_chip_as=") {
            let id = String(notes[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." })
            return gpus.first { $0.id == id }
        }
        return nil
    }

    /// The llama.cpp build number a row's notes name ("build 2824", "b6699"), nil when not stated.
    static func build(_ notes: String) -> Int? {
        guard let r = notes.range(of: #"build (\d+)"#, options: .regularExpression) ?? notes.range(of: #"\bb(\d{4,5})\b"#, options: .regularExpression)
        else { return nil }
        return Int(notes[r].filter(\.isNumber))
    }

    /// llama.cpp reserved logits for every token of the ubatch before PR #23861 (2026-06-01, after b8994) and for
    /// n_parallel·(1 + n_draft) rows since (memory-model.md §3.1).
    /// A row without a build number is taken as current.
    static func reservesAllOutputs(_ notes: String) -> Bool { (build(notes) ?? 99_999) <= 8994 }

    /// Flash attention when the row does not say: `auto` (on where supported) since PR #15434 (2025-08-30, b6344),
    /// off before (memory-model.md §2.1).
    static func flashAttention(_ flag: String?, notes: String) -> Bool {
        switch flag {
        case "1": true
        case "0": false
        default: (build(notes) ?? 99_999) >= 6344
        }
    }

    /// `-ub`/n_ubatch stated in the notes, else llama.cpp's default 512.
    static func nUBatch(_ notes: String) -> Int {
        guard let r = notes.range(of: #"n_ubatch (\d+)"#, options: .regularExpression) else { return 512 }
        return Int(notes[r].filter(\.isNumber)) ?? 512
    }

    /// Expert tensors kept in host memory (`-ot ".ffn_.*_exps.=CPU"`, `--n-cpu-moe`, `-cmoe`).
    static func expertsOnCPU(_ notes: String) -> Bool {
        notes.contains("exps.=CPU") || notes.contains("exps=CPU") || notes.contains("n-cpu-moe") || notes.contains("-cmoe")
    }

    /// The `(N cells, L layers` part of a `llama_kv_cache: size = …` line.
    static func kvCellsAndLayers(_ line: String) -> (cells: Int, layers: Int)? {
        guard let r = line.range(of: #"\(\s*\d+ cells,\s*\d+ layers"#, options: .regularExpression) else { return nil }
        let nums = line[r].split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        return nums.count == 2 ? (nums[0], nums[1]) : nil
    }

    public func run(dataDirectory dir: URL) throws -> [AccuracySummary] {
        var byKind: [String: [AccuracyRow]] = [:]
        var skipped: [String: [String]] = [:]

        // 1. Memory log lines.
        for r in try rows(dir, "memory.csv") {
            let id = r["id"] ?? "?", kind = r["kind"] ?? "", device = r["device"] ?? ""
            let key = "memory: \(kind)"
            guard let (m, shapeNote) = model(r), let ftype = LlamaFileType(name: r["quant"] ?? ""),
                  let measuredMiB = Double(r["mib"] ?? "") else {
                skipped[key, default: []].append("\(id): model or quant not in the catalog")
                continue
            }
            let nCtx = Int(r["n_ctx"] ?? "") ?? 4096
            let np = max(1, Int(r["n_parallel"] ?? "") ?? 1)
            let notes = r["notes"] ?? ""
            let fa = Self.flashAttention(r["flash_attn"], notes: notes)
            let ctk = GGMLType(name: r["cache_type_k"] ?? "f16") ?? .f16, ctv = GGMLType(name: r["cache_type_v"] ?? "f16") ?? .f16
            let config = RunConfig(nCtx: nCtx, parallel: np, kvUnified: np == 1, cacheTypeK: ctk, cacheTypeV: ctv, flashAttention: fa,
                                   nUBatch: Self.nUBatch(notes))
            let allOutputs = Self.reservesAllOutputs(notes)
            let mem = ModelMemory(model: m, ftype: ftype, config: config, isDraft: false, flashAttention: fa, gammaMax: 0)
            let nKV = KVCache.cells(nCtx: nCtx, parallel: np, unified: np == 1).perStream
            let ub = min(Self.nUBatch(notes), nKV)
            let isHost = device.hasPrefix("CPU") || device.contains("Host")
            let cpuOnly = (r["backend"] ?? "").uppercased() == "CPU" || notes.contains("-ngl 0")
            let multi = device.contains("CUDA1") || device.contains("+") || notes.contains("layer split") || notes.contains("pipeline parallelism")
                || notes.contains("CUDA1 =")
            if multi && kind != "output_buffer" {
                skipped[key, default: []].append("\(id): one card of a multi-GPU split (per-card shares and pipeline copies not modelled)")
                continue
            }
            let experts = Self.expertsOnCPU(notes) ? mem.expertBytesPerLayer.reduce(0, +) : 0
            var predicted: Double?
            var reason = shapeNote
            switch kind {
            case "kv_cache":
                predicted = mib(mem.kvBytes)
                // iSWA models log their sliding-window and full-attention caches on separate lines.
                if let (cells, layers) = Self.kvCellsAndLayers(r["log_line"] ?? ""), m.slidingWindow > 0, layers < m.nLayer {
                    let isSWAPart = cells < nKV
                    let part = (0..<m.nLayer).filter { m.isSWA(layer: $0) == isSWAPart }
                    predicted = mib(part.reduce(Int64(0)) { $0 + mem.layerKVBytes[$1] })
                    reason += isSWAPart ? "sliding-window part of the iSWA cache; " : "full-attention part of the iSWA cache; "
                }
            case "model_buffer":
                if device == "AMX" { skipped[key, default: []].append("\(id): AMX repack buffer not modelled"); continue }
                predicted = cpuOnly ? mib(mem.weightBytes)
                    : isHost ? mib(mem.tokenEmbdBytes + experts) : mib(mem.weightBytes - mem.tokenEmbdBytes - experts)
                if cpuOnly { reason += "CPU run: every weight in the mapped buffer; " }
                reason += isHost ? "host buffer = token_embd\(experts > 0 ? " + expert stacks (-ot exps=CPU)" : "") when every layer is offloaded; "
                    : "GPU buffer = every weight but token_embd\(experts > 0 ? " and the expert stacks" : ""); "
            case "compute_buffer":
                predicted = mib(ComputeBuffer.deviceBytes(model: m, nKV: nKV, nUBatch: ub, nOutputs: allOutputs ? ub : np, flashAttention: fa))
                reason += fa ? "FA on: FFN/logits stage estimate; " : "FA off: KQ = n_kv·n_ubatch·n_head·4 B dominates; "
            case "host_compute_buffer":
                predicted = mib(ComputeBuffer.hostBytes(model: m, nKV: nKV, nUBatch: ub, flashAttention: fa))
            case "output_buffer":
                predicted = Double(4 * m.vocabSize * np) / bytesPerMiB
            default:
                skipped[key, default: []].append("\(id): kind \(kind) not predicted")
                continue
            }
            if let p = predicted {
                byKind[key, default: []].append(AccuracyRow(id: id, kind: key, what: "\(r["model"] ?? "") \(r["quant"] ?? "") n_ctx \(nCtx) on \(device)",
                                                            measured: measuredMiB, predicted: p, unit: "MiB", reason: reason, source: r["source"] ?? ""))
            }
        }

        // 2. Decode tok/s: every layer on one catalog GPU (or unified SoC).
        for r in try rows(dir, "decode.csv") {
            let id = r["id"] ?? "?"
            guard let (m, shapeNote) = model(r), let ftype = LlamaFileType(name: r["quant"] ?? ""), let tg = Double(r["tg_tokens_per_s"] ?? "") else {
                skipped["decode", default: []].append("\(id): model or quant not in the catalog")
                continue
            }
            guard let g = card(r), g.bandwidthGBps > 0 else {
                skipped["decode", default: []].append("\(id): \(r["device"] ?? "device") is not a catalog GPU (CPU bandwidth is not in the data)")
                continue
            }
            let p = predictedDecode(m, ftype, on: g)
            byKind["decode", default: []].append(AccuracyRow(id: id, kind: "decode", what: "\(r["model"] ?? "") \(r["quant"] ?? "") on \(g.id) (\(r["backend"] ?? ""))",
                                                             measured: tg, predicted: p, unit: "tok/s",
                                                             reason: shapeNote + "η \(BandwidthEfficiency.forBackend(g.backend).mid) for \(g.backend.rawValue)",
                                                             source: r["source"] ?? ""))
        }

        // 3. Speculative decoding: with the measured acceptance, predicted tok/s with speculation.
        for r in try rows(dir, "speculative.csv") {
            let id = r["id"] ?? "?"
            guard let (t, _) = model(r, idKey: "target_id"), let (d, _) = model(r, idKey: "draft_id"), let g = card(r),
                  let with = Double(r["tps_with"] ?? "") else {
                skipped["speculative", default: []].append("\(id): target, draft or hardware not in the catalog")
                continue
            }
            let quants = (r["quant"] ?? "").split(separator: "/").map(String.init)
            let tq = LlamaFileType(name: quants.first ?? "") ?? .q4_K_M, dq = LlamaFileType(name: quants.last ?? "") ?? .q4_K_M
            let gamma = Int(r["gamma"] ?? "") ?? 3
            var alpha = 0.7
            var basis = "α prior"
            if let a = Double(r["acceptance"] ?? "") {
                alpha = r["acceptance_metric"] == "acceptance_rate" ? SpeculationModel.alpha(fromAcceptanceRate: a, gamma: gamma) : a
                basis = String(format: "measured α %.2f", alpha)
            }
            let req = request(t, tq, draft: d, dq, on: g, gamma: gamma, alpha: alpha)
            let f = FitEngine.evaluate(req, withAdvice: false)
            guard let spec = f.speed.speculativeTokensPerSecond?.mid else { continue }
            byKind["speculative", default: []].append(AccuracyRow(id: id, kind: "speculative", what: "\(t.id) + \(d.id) on \(g.id), γ=\(gamma)",
                                                                  measured: with, predicted: spec, unit: "tok/s", reason: basis, source: r["source"] ?? ""))
        }
        let kinds = Set(byKind.keys).union(skipped.keys).sorted()
        return kinds.map { AccuracySummary.summarize(kind: $0, rows: byKind[$0] ?? [], skipped: skipped[$0] ?? []) }
    }

    func request(_ m: ModelSpec, _ q: LlamaFileType, draft: ModelSpec? = nil, _ dq: LlamaFileType = .q4_K_M, on g: GPUSpec,
                 gamma: Int? = nil, alpha: Double? = nil) -> FitRequest {
        let tok = TokenizerFacts(vocabType: "bpe", vocabSize: m.vocabSize, bosID: nil, eosID: nil, addBOS: false, addEOS: false)
        var device = MachineResources.device(g)
        device.usableBytes = max(device.usableBytes, 1 << 40) // the measurement ran, so it fitted: judge speed only
        let host = HostResources(cpuName: "host", usableRAMBytes: 1 << 40, ramBasis: "validation", bandwidthGBps: 50,
                                 bandwidthBasis: "validation", peakGFLOPS: 1000, threads: 8)
        let records = alpha.map { [AcceptanceRecord(id: "measured", relation: .sameFamily, task: "chat", target: m.id, draft: draft?.id ?? "",
                                                    metric: .alpha, value: $0, source: "validation row")] } ?? acceptance
        return FitRequest(target: m, targetFtype: q, targetTokenizer: tok, draft: draft, draftFtype: dq, draftTokenizer: draft.map { _ in tok },
                          config: RunConfig(nCtx: 4096, gamma: gamma, position: 256), gpus: [device], host: host,
                          acceptance: records, machineLabel: "validation")
    }

    func predictedDecode(_ m: ModelSpec, _ q: LlamaFileType, on g: GPUSpec) -> Double {
        FitEngine.evaluate(request(m, q, on: g), withAdvice: false).speed.plainTokensPerSecond.mid
    }
}

private func mib(_ b: Int64) -> Double { SpecFitCore.mib(b) }
