import ArgumentParser
import Catalog
import Decoder
import Foundation
import GGUF
import SpecFitCore

/// `specfit bench`: runs speculative decoding for real on the CPU with the micro-decoder, task by task over the
/// prompt set (data/prompts), and prints beside each measurement what the fit engine predicted for this machine
/// and this configuration, with the error. The prediction never peeks: it uses the acceptance statistics of the
/// calibration half of the task's prompts (even ids) and the probe's bandwidth with the default η, and is compared
/// with measurements over the other half (odd ids). Results go into the catalog's measurements table.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure speculative decoding on this CPU (α, tokens/step, c, tok/s, speedup) next to the fit engine's prediction.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Target GGUF model.")
    var target: String

    @Option(name: .long, help: "Draft GGUF model (must pass pair-check).")
    var draft: String?

    @Option(name: .customLong("self-draft"), help: "Self-draft from the target: layers=K,vocab=N (first K blocks, N most frequent tokens of data/corpus).")
    var selfDraft: String?

    @Option(name: .long, help: "Prompt-lookup drafting with n-grams up to N.")
    var ngram: Int?

    @Option(name: .long, help: "Draft length γ: 1…64 or auto.")
    var gamma = "4"

    @Option(name: .long, parsing: .singleValue, help: "Task(s) to run (default: all): \(SpecFitCore.Task.allCases.map(\.rawValue).joined(separator: ", ")).")
    var task: [String] = []

    @Option(name: .long, help: "Tokens generated per prompt.")
    var tokens = 128

    @Option(name: .long, help: "Threads (default: all logical cores).")
    var threads: Int?

    @Option(name: .long, help: "Runs over the measured half; the median is reported.")
    var runs = 3

    @Option(name: .long, help: "Temperature; 0 = greedy (speculative output then equals plain greedy).")
    var temp: Float = 0

    @Option(name: .long, help: "Seed of the sampler.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Prompt folder (default: data/prompts of the SpecFit checkout).")
    var prompts: String?

    @Option(name: .long, help: "Corpus folder for the self-draft's head (default: data/corpus of the SpecFit checkout).")
    var corpus: String?

    @Flag(name: .customLong("no-record"), help: "Do not store the results in the catalog's measurements table.")
    var noRecord = false

    func validate() throws {
        let drafters = [draft != nil, selfDraft != nil, ngram != nil].filter { $0 }.count
        guard drafters == 1 else { throw ValidationError("give exactly one of --draft FILE, --self-draft layers=K,vocab=N or --ngram N") }
        guard GammaPolicy(gamma) != nil, gamma != "0" else { throw ValidationError("--gamma \(gamma): give 1…64 or auto") }
        guard (1...4096).contains(tokens) else { throw ValidationError("--tokens \(tokens): give 1…4096") }
        guard (1...20).contains(runs) else { throw ValidationError("--runs \(runs): give 1…20") }
        if let n = ngram, !(1...8).contains(n) { throw ValidationError("--ngram \(n): give 1…8") }
        if let t = threads, !(1...1024).contains(t) { throw ValidationError("--threads \(t): give 1…1024") }
        guard temp >= 0, temp <= 10 else { throw ValidationError("--temp \(temp): give 0…10") }
        for t in task where SpecFitCore.Task(rawValue: t) == nil {
            throw ValidationError("unknown --task '\(t)'; use \(SpecFitCore.Task.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// One task's result.
    struct TaskResult: Codable {
        var task: String
        var prompts: Int
        var calibrationPrompts: Int
        var tokensPerRun: Int
        var alpha: Double?
        var tokensPerStep: Double
        var acceptanceRate: Double
        var costRatio: Double?
        var plainTokensPerSecond: Double
        var speculativeTokensPerSecond: Double
        var speedup: Double
        var runsPlain: [Double]
        var runsSpeculative: [Double]
        var calibration: FitEngine.MeasuredAcceptance
        var predicted: FitEngine.MeasuredPrediction
        var errorPlain: Double
        var errorSpeculative: Double
        var errorSpeedup: Double
    }

    struct Output: Codable {
        var schemaVersion = 1
        var target: String
        var drafter: String
        var gamma: String
        var temperature: Float
        var threads: Int
        var machine: String
        var cpuEfficiency: Double?
        var tasks: [TaskResult]
        var interrupted: Bool
    }

    func run() throws {
        let tasks = task.isEmpty ? SpecFitCore.Task.allCases : task.compactMap(SpecFitCore.Task.init(rawValue:))
        let promptDir = try prompts ?? ProjectData.locate("data/prompts")
        let promptSets = try tasks.map { ($0, try BenchPrompts.load(promptDir, task: $0.rawValue)) }
        let nThreads = threads ?? ProcessInfo.processInfo.activeProcessorCount
        let catalog = try global.openCatalog()
        let factory = try FitRequestFactory(catalog: catalog, global: global)
        let policy = GammaPolicy(gamma)!

        // Models.
        let gguf: GGUFModel, tok: Tokenizer
        do {
            gguf = try GGUFModel.open(path: target)
            tok = try Tokenizer(gguf: gguf)
        } catch { throw CLIError(message: error.localizedDescription, code: 2) }
        let maxPrompt = promptSets.flatMap { $0.1.map { tok.encode($0.prompt).count } }.max() ?? 0
        let ctx = maxPrompt + tokens + 8
        let model: Transformer
        let drafter: Drafter
        let drafterKey: String
        let draftCost: FitEngine.DraftCost
        var draftResolved: FitRequestFactory.Resolved?
        do {
            model = try Transformer(gguf: gguf, contextLength: ctx, threads: nThreads)
            if let draft {
                let t = try factory.resolve(target, tokenTexts: true), d = try factory.resolve(draft, tokenTexts: true)
                let verdict = Compatibility.llamaCpp(target: t.tokenizer, draft: d.tokenizer)
                guard verdict.compatible else {
                    throw CLIError(message: "\(draft) cannot draft for \(target): \(verdict.reasons.joined(separator: "; ")) (see specfit pair-check)", code: 2)
                }
                draftResolved = d
                let dg = try GGUFModel.open(path: draft)
                drafter = ModelDrafter(try Transformer(gguf: dg, contextLength: ctx, threads: nThreads), name: d.spec.id)
                drafterKey = d.spec.id
                draftCost = .model
            } else if let selfDraft {
                let (layers, vocab) = try Self.parseSelfDraft(selfDraft)
                let docs = try SelfDraft.corpusDocuments(at: try corpus ?? ProjectData.locate("data/corpus"))
                let sd = try SelfDraft.make(gguf: gguf, tokenizer: tok, contextLength: ctx, threads: nThreads, layers: layers,
                                            vocab: vocab, documents: docs)
                drafter = sd
                drafterKey = "self-draft-l\(sd.model.config.nLayer)-v\(sd.model.headTokens?.count ?? 0)"
                draftCost = .fractionOfTarget(try Self.selfDraftByteFraction(gguf, layers: sd.model.config.nLayer, vocab: sd.model.headTokens?.count ?? 0))
            } else {
                drafter = PromptLookupDrafter(maxN: ngram!)
                drafterKey = "ngram-\(ngram!)"
                draftCost = .free
            }
        } catch let e as CLIError { throw e } catch { throw CLIError(message: error.localizedDescription, code: 2) }

        // The fit engine's request for this machine, CPU only (the micro-decoder runs on the CPU), default η.
        let t = try factory.resolve(target)
        let run = try RunOptions.parse(["--ctx", "\(max(256, ctx))"])
        var request = try factory.request(target: t, draft: draftResolved, ftype: t.ftype ?? .q4_K_M,
                                          draftFtype: draftResolved?.ftype ?? .q4_K_M, config: try run.config(), gpus: [])
        request.gpus = []
        request.host.measuredCPUEfficiency = nil
        let machineKey = MachineKey.of(factory.machine)

        let interrupt = InterruptFlag.install()
        var results: [TaskResult] = []
        let sampler = Sampler(temperature: temp, seed: seed)
        for (task, set) in promptSets {
            if interrupt.isSet { break }
            let calibration = set.enumerated().filter { $0.offset % 2 == 0 }.map { tok.encode($0.element.prompt) }
            let measured = set.enumerated().filter { $0.offset % 2 == 1 }.map { tok.encode($0.element.prompt) }
            let stop = tok.endOfGeneration
            progress("\(task.rawValue): calibrating on \(calibration.count) prompts")
            // Calibration half: acceptance statistics for the prediction.
            var cal = SpeculativeStats()
            let spec = SpeculativeDecoder(target: model, drafter: drafter, gamma: policy)
            for p in calibration where !interrupt.isSet {
                var rng = SeededGenerator(seed: seed)
                cal = cal + (try spec.generate(prompt: p, count: tokens, sampler: sampler, using: &rng, stop: stop, shouldStop: { interrupt.isSet }).stats)
            }
            if interrupt.isSet { break }
            let acc = FitEngine.MeasuredAcceptance(alpha: cal.alpha ?? 0, draftingFraction: cal.draftingFraction, meanDrafts: cal.meanDrafts)
            var req = request
            req.config.task = task
            let predicted = FitEngine.predictMeasured(req, draft: draftCost, acceptance: acc)
            // Measured half: plain and speculative, alternating, `runs` times.
            let plainDecoder = SpeculativeDecoder(target: model, drafter: nil, gamma: .fixed(0))
            var plainRates: [Double] = [], specRates: [Double] = []
            var specTotal = SpeculativeStats(), plainTotal = SpeculativeStats()
            for r in 0..<runs where !interrupt.isSet {
                progress("\(task.rawValue): run \(r + 1)/\(runs) over \(measured.count) prompts")
                var plainRun = SpeculativeStats(), specRun = SpeculativeStats()
                for p in measured where !interrupt.isSet {
                    var rng1 = SeededGenerator(seed: seed), rng2 = SeededGenerator(seed: seed)
                    plainRun = plainRun + (try plainDecoder.generate(prompt: p, count: tokens, sampler: sampler, using: &rng1, stop: stop, shouldStop: { interrupt.isSet }).stats)
                    specRun = specRun + (try spec.generate(prompt: p, count: tokens, sampler: sampler, using: &rng2, stop: stop, shouldStop: { interrupt.isSet }).stats)
                }
                if interrupt.isSet { break }
                plainRates.append(Double(plainRun.emitted) / plainRun.decodeSeconds)
                specRates.append(Double(specRun.emitted) / specRun.decodeSeconds)
                plainTotal = plainTotal + plainRun
                specTotal = specTotal + specRun
            }
            if interrupt.isSet { break }
            let plain = median(plainRates), fast = median(specRates)
            // c measured: seconds per draft forward ÷ seconds per plain target token.
            let c: Double? = specTotal.draftForwards > 0
                ? (specTotal.draftSeconds / Double(specTotal.draftForwards)) / (plainTotal.decodeSeconds / Double(plainTotal.emitted)) : nil
            let result = TaskResult(
                task: task.rawValue, prompts: measured.count, calibrationPrompts: calibration.count, tokensPerRun: specTotal.emitted / max(1, runs),
                alpha: specTotal.alpha, tokensPerStep: specTotal.tokensPerStep, acceptanceRate: specTotal.acceptanceRate, costRatio: c,
                plainTokensPerSecond: plain, speculativeTokensPerSecond: fast, speedup: fast / plain,
                runsPlain: plainRates, runsSpeculative: specRates, calibration: acc, predicted: predicted,
                errorPlain: predicted.plainTokensPerSecond / plain - 1, errorSpeculative: predicted.speculativeTokensPerSecond / fast - 1,
                errorSpeedup: predicted.speedup / (fast / plain) - 1)
            results.append(result)
            if !global.json { print(Self.describe(result)) }
            if !noRecord {
                try record(catalog, result, targetID: t.spec.id, drafterKey: drafterKey, machine: machineKey)
            }
        }
        // η of CPU decoding: bytes read per token × plain tok/s ÷ the probe's triad bandwidth.
        var eta: Double?
        if let triad = factory.machine.cpu.measuredBandwidth?.triadGBps, !results.isEmpty {
            let plain = median(results.map(\.plainTokensPerSecond))
            let bytes = Double(Self.bytesReadPerToken(gguf))
            eta = bytes * plain / (triad * 1e9)
            if !noRecord, let eta {
                try catalog.recordMeasurement(kind: "cpu-decode-efficiency", subject: machineKey, machine: machineKey, value: eta, unit: "fraction of triad",
                                              measuredAt: ISO8601DateFormatter().string(from: Date()),
                                              details: "{\"model\": \(jsonString(t.spec.id)), \"plain_tps\": \(plain), \"triad_gbps\": \(triad), \"threads\": \(nThreads)}",
                                              source: "specfit bench")
            }
        }
        let out = Output(target: t.spec.id, drafter: drafter.name, gamma: policy.description, temperature: temp, threads: nThreads,
                         machine: request.machineLabel, cpuEfficiency: eta, tasks: results, interrupted: interrupt.isSet)
        if global.json {
            try printJSON(out)
        } else if let eta {
            print(String(format: "CPU decode efficiency η = %.2f of the probe's triad (used by later `fit` predictions on this machine)", eta))
        }
        if interrupt.isSet {
            FileHandle.standardError.write(Data("interrupted: \(results.count) finished task(s) kept\n".utf8))
            throw ExitCode(130)
        }
    }

    func progress(_ s: String) {
        FileHandle.standardError.write(Data("[bench] \(s)\n".utf8))
    }

    func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    func record(_ catalog: CatalogStore, _ r: TaskResult, targetID: String, drafterKey: String, machine: String) throws {
        let details: [String: Any] = [
            "tokens": r.tokensPerRun * runs, "gamma": gamma, "temperature": Double(temp), "machine": machine,
            "plain_tps": r.plainTokensPerSecond, "spec_tps": r.speculativeTokensPerSecond, "speedup": r.speedup,
            "predicted_plain_tps": r.predicted.plainTokensPerSecond, "predicted_spec_tps": r.predicted.speculativeTokensPerSecond,
            "predicted_speedup": r.predicted.speedup, "tokens_per_step": r.tokensPerStep,
        ]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: details, options: [.sortedKeys]), as: UTF8.self)
        try catalog.recordMeasurement(kind: "acceptance", subject: "\(targetID)|\(drafterKey)|\(r.task)", machine: machine,
                                      value: r.alpha ?? 0, unit: "alpha", measuredAt: ISO8601DateFormatter().string(from: Date()),
                                      details: json, source: "specfit bench")
    }

    static func describe(_ r: TaskResult) -> String {
        func pct(_ e: Double) -> String { String(format: "%+.0f%%", 100 * e) }
        var lines = ["\(r.task) (\(r.prompts) prompts measured, \(r.calibrationPrompts) for calibration):"]
        lines.append(String(format: "  α %.3f (calibration %.3f), %.2f tokens/step (predicted %.2f), acceptance rate %.2f", r.alpha ?? 0,
                            r.calibration.alpha, r.tokensPerStep, r.predicted.tokensPerStep, r.acceptanceRate))
        if let c = r.costRatio { lines.append(String(format: "  c = %.3f measured, %.3f predicted", c, r.predicted.costRatio)) }
        lines.append(String(format: "  plain        %7.1f tok/s   predicted %7.1f  (%@)", r.plainTokensPerSecond, r.predicted.plainTokensPerSecond, pct(r.errorPlain)))
        lines.append(String(format: "  speculative  %7.1f tok/s   predicted %7.1f  (%@)", r.speculativeTokensPerSecond, r.predicted.speculativeTokensPerSecond, pct(r.errorSpeculative)))
        lines.append(String(format: "  speedup      %7.2f×        predicted %7.2f× (%@)", r.speedup, r.predicted.speedup, pct(r.errorSpeedup)))
        return lines.joined(separator: "\n")
    }

    static func parseSelfDraft(_ s: String) throws -> (layers: Int, vocab: Int) {
        var layers: Int?, vocab: Int?
        for part in s.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, let v = Int(kv[1]), v > 0 else { throw CLIError(message: "--self-draft \(s): write layers=K,vocab=N", code: 1) }
            switch kv[0] {
            case "layers": layers = v
            case "vocab": vocab = v
            default: throw CLIError(message: "--self-draft \(s): unknown key \(kv[0]); write layers=K,vocab=N", code: 1)
            }
        }
        guard let layers, let vocab else { throw CLIError(message: "--self-draft \(s): write layers=K,vocab=N", code: 1) }
        return (layers, vocab)
    }

    /// Bytes a decode step reads: every tensor but the token embedding (one row of it is read), the head when tied.
    static func bytesReadPerToken(_ g: GGUFModel) -> Int64 {
        let tied = !g.tensors.contains { $0.name == "output.weight" }
        var total: Int64 = 0
        for t in g.tensors where !(t.name == "token_embd.weight" && !tied) { total += t.bytes ?? 0 }
        return total
    }

    /// A self-draft's bytes per token as a fraction of the target's: its first `layers` blocks plus `vocab` head rows.
    static func selfDraftByteFraction(_ g: GGUFModel, layers: Int, vocab: Int) throws -> Double {
        let total = Double(bytesReadPerToken(g))
        var draft: Int64 = 0
        for t in g.tensors {
            if t.name.hasPrefix("blk.") {
                let il = Int(t.name.split(separator: ".")[1]) ?? .max
                if il < layers { draft += t.bytes ?? 0 }
            } else if t.name == "output.weight" || (t.name == "token_embd.weight" && !g.tensors.contains { $0.name == "output.weight" }) {
                let rows = Double(t.shape.last ?? 1)
                draft += Int64(Double(t.bytes ?? 0) * Double(vocab) / max(1, rows))
            } else if t.name != "token_embd.weight" {
                draft += t.bytes ?? 0
            }
        }
        return Double(draft) / max(1, total)
    }
}

/// One prompt of data/prompts/<task>.jsonl.
struct BenchPrompt: Codable {
    var id: String
    var prompt: String
}

enum BenchPrompts {
    static func load(_ dir: String, task: String) throws -> [BenchPrompt] {
        let path = dir + "/" + task + ".jsonl"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CLIError(message: "no prompt file \(path): give --prompts DIR (the SpecFit checkout's data/prompts)", code: 2)
        }
        var out: [BenchPrompt] = []
        for (i, line) in text.split(separator: "\n").enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let p = try? JSONDecoder().decode(BenchPrompt.self, from: Data(line.utf8)) else {
                throw CLIError(message: "\(path):\(i + 1): not a {\"id\", \"prompt\"} JSON line", code: 2)
            }
            out.append(p)
        }
        guard out.count >= 2 else { throw CLIError(message: "\(path): needs at least 2 prompts (one calibration, one measured)", code: 2) }
        return out
    }
}

/// Files of the SpecFit checkout (prompts, corpus): found from the working directory upwards, then from the
/// executable's folder upwards (…/.build/release/specfit).
enum ProjectData {
    static func locate(_ relative: String) throws -> String {
        var starts = [FileManager.default.currentDirectoryPath]
        if let exe = Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent().path { starts.append(exe) }
        for start in starts {
            var dir = URL(fileURLWithPath: start)
            for _ in 0..<8 {
                let candidate = dir.appendingPathComponent(relative).path
                var isDir: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDir), isDir.boolValue { return candidate }
                dir = dir.deletingLastPathComponent()
            }
        }
        throw CLIError(message: "cannot find \(relative) of the SpecFit checkout from here; run from the checkout or give the folder explicitly", code: 2)
    }
}

/// The key that says "the same machine" for measurements: CPU model, logical cores, RAM rounded to GiB.
enum MachineKey {
    static func of(_ m: Machine) -> String {
        "\(m.cpu.model) / \(m.cpu.logicalCores) threads / \(Int((Double(m.memory.totalBytes) / 1_073_741_824).rounded())) GiB"
    }
}

/// SIGINT sets a flag the loops check between tokens, so an interrupted run still prints what it finished.
final class InterruptFlag: @unchecked Sendable {
    private static let shared = InterruptFlag()
    private var source: DispatchSourceSignal?
    private let lock = NSLock()
    private var set = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return set }

    static func install() -> InterruptFlag {
        let f = shared
        if f.source == nil {
            signal(SIGINT, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: SIGINT, queue: DispatchQueue.global())
            s.setEventHandler { f.lock.lock(); f.set = true; f.lock.unlock() }
            s.resume()
            f.source = s
        }
        return f
    }
}

func jsonString(_ s: String) -> String {
    String(decoding: (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8), as: UTF8.self)
}
