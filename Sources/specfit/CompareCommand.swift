import ArgumentParser
import Catalog
import Foundation
import Report
import SpecFitCore

/// `--target T [--draft D]` pairs given on the command line, matched by position; default: catalog/pairs.csv.
struct PairOptions: ParsableArguments {
    @Option(name: .long, parsing: .singleValue, help: "Target model (repeatable; each --target takes the --draft at the same position).")
    var target: [String] = []

    @Option(name: .long, parsing: .singleValue, help: "Draft for the --target at the same position; 'none' for no draft.")
    var draft: [String] = []

    /// Catalog ids, aliases or GGUF paths (a path brings the file's exact tensors and tokenizer).
    func pairs(_ factory: FitRequestFactory, catalog: CatalogStore) throws -> [(FitRequestFactory.Resolved, FitRequestFactory.Resolved?)] {
        guard draft.count <= target.count else {
            throw CLIError(message: "\(draft.count) --draft for \(target.count) --target: give a --target before each --draft", code: 1)
        }
        if target.isEmpty {
            return try catalog.pairs().compactMap { p in
                guard factory.models.contains(where: { $0.id == p.target }) else { return nil }
                let d = factory.models.contains { $0.id == p.draft } ? try factory.resolve(p.draft) : nil
                return (try factory.resolve(p.target), d)
            }
        }
        return try target.enumerated().map { i, t in
            let d = i < draft.count && draft[i].lowercased() != "none" ? draft[i] : nil
            let both = FitRequestFactory.isPath(t) && d.map(FitRequestFactory.isPath) == true
            return (try factory.resolve(t, tokenTexts: both), try d.map { try factory.resolve($0, tokenTexts: both) })
        }
    }
}

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Two or more GPUs side by side: verdict and tok/s of each pair on each card, the winner, and what would make a 'no' a 'yes'.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var runOptions: RunOptions
    @OptionGroup var pairOptions: PairOptions

    @Argument(help: "GPU catalog ids (at least two), e.g. rtx-4090 rx-7900-xtx; '2x rtx-3090' counts as one configuration.")
    var gpus: [String]

    func validate() throws {
        guard gpus.count >= 2 else { throw ValidationError("give at least two GPUs to compare") }
    }

    func run() throws {
        let catalog = try global.openCatalog()
        let factory = try FitRequestFactory(catalog: catalog, global: global)
        let comparison = try Self.comparison(gpus, factory: factory, catalog: catalog, run: runOptions, pairs: pairOptions)
        if global.json { try printJSON(comparison) } else { print(TextReport.comparison(comparison)) }
    }

    static func comparison(_ gpus: [String], factory: FitRequestFactory, catalog: CatalogStore, run: RunOptions, pairs: PairOptions) throws -> Comparison {
        let configs = try gpus.map { try factory.cards([$0]) }
        guard Set(gpus.map { $0.lowercased() }).count == gpus.count else {
            throw CLIError(message: "the same GPU is given twice", code: 1)
        }
        let (ftype, dftype) = try run.ftypes()
        let config = try run.config()
        let ps = try pairs.pairs(factory, catalog: catalog)
        guard !ps.isEmpty else { throw CLIError(message: "no pairs to compare: give --target (and --draft)", code: 1) }
        let requests = try ps.map { t, d in
            try configs.map { try factory.request(target: t, draft: d, ftype: ftype, draftFtype: dftype, config: config, gpus: $0) }
        }
        // A multi-card configuration ("2x rtx-3090") is shown as its first card, labelled with the count.
        let cards = zip(gpus, configs).map { spec, c in
            var g = c[0]
            if c.count > 1 { g.id = "\(c.count)x \(g.id)"; g.name = "\(c.count)× \(g.name)"; g.vramMiB *= c.count }
            return g
        }
        return Comparison.compare(cards: cards, requests: requests)
    }
}

struct RecommendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recommend",
        abstract: "The best target/draft/quant combinations for this machine (or --gpu, --machine), ranked by predicted tok/s within quality tiers.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Task whose acceptance prior is used.")
    var task = "chat"

    @Option(name: .customLong("min-tps"), help: "Leave out combinations predicted slower than this, tok/s (default 5: about reading speed; 0 shows all).")
    var minTPS: Double = 5

    @Option(name: .long, help: "Context length n_ctx.")
    var ctx = 4096

    @Option(name: .long, parsing: .singleValue, help: "What-if GPU instead of this machine's (repeatable, '2x ID').")
    var gpu: [String] = []

    @Option(name: .long, help: "How many to show.")
    var top = 10

    func checkOptions() throws -> SpecFitCore.Task {
        guard let t = SpecFitCore.Task(rawValue: task) else {
            throw CLIError(message: "unknown --task '\(task)'; use one of \(SpecFitCore.Task.allCases.map(\.rawValue).joined(separator: ", "))", code: 2)
        }
        guard (256...10_000_000).contains(ctx) else { throw CLIError(message: "--ctx \(ctx): give 256…10000000", code: 1) }
        guard (1...1000).contains(top) else { throw CLIError(message: "--top \(top): give 1…1000", code: 1) }
        return t
    }

    /// The ranking `run` prints (`serve` answers it too).
    func recommendations(factory: FitRequestFactory) throws -> (base: FitRequest, result: (ranked: [Recommendation], closest: [Recommendation], evaluated: Int)) {
        let t = try checkOptions()
        let models = factory.models
        guard let any = models.first else { throw CLIError(message: "the catalog has no models", code: 2) }
        let base = try factory.request(target: any, draft: nil, ftype: .q4_K_M, draftFtype: .q4_K_M,
                                       config: RunConfig(nCtx: ctx, task: t), gpus: try factory.cards(gpu))
        return (base, Recommender.recommend(base: base, models: models, minTokensPerSecond: minTPS, limit: top))
    }

    func run() throws {
        _ = try checkOptions()
        let catalog = try global.openCatalog()
        let factory = try FitRequestFactory(catalog: catalog, global: global)
        let (base, result) = try recommendations(factory: factory)
        if global.json {
            struct Out: Encodable { let machine: String; let evaluated: Int; let ranked: [Recommendation]; let closest: [Recommendation] }
            try printJSON(Out(machine: base.machineLabel, evaluated: result.evaluated, ranked: result.ranked, closest: result.closest))
        } else {
            print(TextReport.recommendations(result.ranked, closest: result.closest, machine: base.machineLabel, evaluated: result.evaluated))
        }
    }
}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Export a recommendation report (Markdown, self-contained HTML with charts, or JSON).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var runOptions: RunOptions
    @OptionGroup var pairOptions: PairOptions

    @Option(name: .long, parsing: .singleValue, help: "What-if GPU for the verdicts (repeatable, '2x ID').")
    var gpu: [String] = []

    @Option(name: .long, parsing: .upToNextOption, help: "GPUs to compare in the report (two or more).")
    var compare: [String] = []

    @Option(name: .long, help: "md, html or json.")
    var format = "html"

    @Option(name: [.short, .customLong("output")], help: "Output file.")
    var output: String

    func run() throws {
        guard ["md", "html", "json"].contains(format) else { throw CLIError(message: "--format \(format): use md, html or json", code: 1) }
        if !compare.isEmpty && compare.count < 2 { throw CLIError(message: "--compare needs two or more GPUs", code: 1) }
        let catalog = try global.openCatalog()
        let factory = try FitRequestFactory(catalog: catalog, global: global)
        let (ftype, dftype) = try runOptions.ftypes()
        let config = try runOptions.config()
        let cards = try factory.cards(gpu)
        var ps = try pairOptions.pairs(factory, catalog: catalog)
        if pairOptions.target.isEmpty { ps = Array(ps.prefix(5)) }
        let verdicts = try ps.map { t, d in
            FitEngine.evaluate(try factory.request(target: t, draft: d, ftype: ftype, draftFtype: dftype, config: config, gpus: cards))
        }
        let comparison = compare.isEmpty ? nil
            : try CompareCommand.comparison(compare, factory: factory, catalog: catalog, run: runOptions, pairs: pairOptions)
        let doc = ReportDocument(
            generatedAt: ISO8601DateFormatter().string(from: Date()), specfitVersion: SpecFit.configuration.version,
            machine: factory.machine, machineLabel: factory.hardware(cards).label, verdicts: verdicts, comparison: comparison,
            validation: [], commands: ["specfit " + CommandLine.arguments.dropFirst().joined(separator: " ")])
        let text: String
        switch format {
        case "md": text = MarkdownReport.render(doc)
        case "json":
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            text = String(decoding: try enc.encode(doc), as: UTF8.self)
        default: text = try HTMLReport.render(doc)
        }
        // Write beside the target and rename, so an interrupted run never leaves a half-written report.
        let url = URL(fileURLWithPath: output)
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        do {
            try Data(text.utf8).write(to: tmp)
            _ = try? FileManager.default.removeItem(at: url)
            try FileManager.default.moveItem(at: tmp, to: url)
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw CLIError(message: "cannot write \(output): \(error.localizedDescription); choose a writable path with -o", code: 3)
        }
        FileHandle.standardError.write(Data("wrote \(output) (\(format), \(verdicts.count) verdicts\(comparison == nil ? "" : ", comparison of \(compare.count) GPUs"))\n".utf8))
    }
}
