import Foundation
import SpecFitCore

// Each page's inputs, read from a query string and written back as a permalink and as the `specfit` command
// line that gives the same answer. Parameter names are the command line's flag names without the dashes.
// The defaults are the command line's; a test checks that a query with none of these parameters gives
// byte for byte the JSON of the command with none of its flags.

/// How the pair is run: what `specfit fit`, `compare`, `choose-gpu` and `cost` share (their `RunOptions`).
public struct RunInputs: Sendable, Equatable {
    public var quant = "Q4_K_M"
    public var draftQuant = "Q4_K_M"
    public var ctx = 4096
    public var ctk = "f16"
    public var ctv = "f16"
    public var runtime = "llama.cpp"
    public var task = "chat"
    public var parallel = 1
    public var gpuLayers: Int?
    public var gamma: Int?
    public var swaFull = false
    public var flashAttn = "auto"

    public init() {}

    static let keys = ["quant", "draft-quant", "ctx", "ctk", "ctv", "runtime", "task", "parallel", "gpu-layers", "gamma", "swa-full", "flash-attn"]
    /// The choices offered by the forms and accepted by the query (the engine's own tables).
    public static let quants = LlamaFileType.catalogChoices.map(\.name)
    public static let kvTypes = GGMLType.kvCacheTypes.map { $0.name.lowercased() }
    public static let runtimes = ["llama.cpp", "vllm"]
    public static let tasks = SpecFitCore.Task.allCases.map(\.rawValue)
    public static let flashAttnChoices = ["auto", "on", "off"]
    /// n_ctx bounds of the command line (`--ctx`).
    public static let ctxRange = 256...10_000_000

    /// Reads the run options of a query; an absent option keeps the command line's default.
    public init(_ q: Query) throws(WebError) {
        if let v = try q.choice("quant", Self.quants) { quant = v }
        if let v = try q.choice("draft-quant", Self.quants) { draftQuant = v }
        if let v = try q.int("ctx", Self.ctxRange) { ctx = v }
        if let v = try q.choice("ctk", Self.kvTypes) { ctk = v }
        if let v = try q.choice("ctv", Self.kvTypes) { ctv = v }
        if let v = try q.choice("runtime", Self.runtimes + ["llamacpp"]) { runtime = v == "llamacpp" ? "llama.cpp" : v }
        if let v = try q.choice("task", Self.tasks) { task = v }
        if let v = try q.int("parallel", 1...256) { parallel = v }
        gpuLayers = try q.int("gpu-layers", 0...1000)
        gamma = try q.int("gamma", 1...64)
        swaFull = try q.bool("swa-full")
        if let v = try q.choice("flash-attn", Self.flashAttnChoices) { flashAttn = v }
    }

    /// Command-line flags: every one (`explicit`, what the server parses) or only those that differ from the defaults.
    public func arguments(explicit: Bool) -> [String] {
        let d = RunInputs()
        var a: [String] = []
        func add(_ flag: String, _ v: String, _ dv: String) { if explicit || v != dv { a += [flag, v] } }
        add("--quant", quant, d.quant)
        add("--draft-quant", draftQuant, d.draftQuant)
        add("--ctx", String(ctx), String(d.ctx))
        add("--ctk", ctk, d.ctk)
        add("--ctv", ctv, d.ctv)
        add("--runtime", runtime, d.runtime)
        add("--task", task, d.task)
        add("--parallel", String(parallel), String(d.parallel))
        if let gpuLayers { a += ["--gpu-layers", String(gpuLayers)] }
        if let gamma { a += ["--gamma", String(gamma)] }
        if swaFull { a.append("--swa-full") }
        add("--flash-attn", flashAttn, d.flashAttn)
        return a
    }

    func addQuery(_ b: inout QueryBuilder) {
        let d = RunInputs()
        if quant != d.quant { b.add("quant", quant) }
        if draftQuant != d.draftQuant { b.add("draft-quant", draftQuant) }
        if ctx != d.ctx { b.add("ctx", String(ctx)) }
        if ctk != d.ctk { b.add("ctk", ctk) }
        if ctv != d.ctv { b.add("ctv", ctv) }
        if runtime != d.runtime { b.add("runtime", runtime) }
        if task != d.task { b.add("task", task) }
        if parallel != d.parallel { b.add("parallel", String(parallel)) }
        b.add("gpu-layers", gpuLayers.map(String.init))
        b.add("gamma", gamma.map(String.init))
        if swaFull { b.add("swa-full", "on") }
        if flashAttn != d.flashAttn { b.add("flash-attn", flashAttn) }
    }
}

/// A command line split in flags and positional arguments, so the server can put the positionals after
/// `--` (a name can then never be taken for a flag) while people read the usual order.
public struct CommandLineArguments: Sendable, Equatable {
    /// The subcommand words, e.g. `["fit"]` or `["catalog", "show"]`.
    public var command: [String]
    public var options: [String]
    public var positionals: [String]

    public init(command: [String], options: [String], positionals: [String]) {
        self.command = command; self.options = options; self.positionals = positionals
    }

    /// What the server hands to the command's parser.
    public var forParser: [String] { options + ["--"] + positionals }

    /// The command as a person types it, quoted for a POSIX shell.
    public func display(global: [String] = []) -> String {
        (["specfit"] + command + positionals + options + global).map(Self.shellQuote).joined(separator: " ")
    }

    static func shellQuote(_ s: String) -> String {
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/=+,@%")
        if !s.isEmpty, s.unicodeScalars.allSatisfy({ safe.contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// "Will it run?": `specfit fit TARGET [--draft D] [--gpu G]… [run options]`.
public struct FitInputs: Sendable, Equatable {
    public var target: String
    public var draft: String?
    /// What-if cards ("rtx-4090", "2x rtx-3090"); empty for this machine's own GPUs.
    public var gpus: [String] = []
    public var run = RunInputs()

    public init(target: String, draft: String? = nil, gpus: [String] = [], run: RunInputs = RunInputs()) {
        self.target = target; self.draft = draft; self.gpus = gpus; self.run = run
    }

    static let keys = ["target", "draft", "gpu"] + RunInputs.keys

    /// nil when the query names no target (an empty form); a draft without a target is a 400.
    public static func parse(_ q: Query) throws(WebError) -> FitInputs? {
        guard let target = try q.name("target") else {
            if q.has("draft") { throw .badRequest("target: missing; a draft needs a target model") }
            _ = try RunInputs(q)
            return nil
        }
        return FitInputs(target: target, draft: try q.name("draft"), gpus: try q.names("gpu"), run: try RunInputs(q))
    }

    /// `specfit fit …` for these inputs: every flag spelt out (`explicit`, what the server parses) or only the non-defaults.
    public func arguments(explicit: Bool) -> CommandLineArguments {
        var o: [String] = []
        if let draft { o += ["--draft", draft] }
        for g in gpus { o += ["--gpu", g] }
        return CommandLineArguments(command: ["fit"], options: o + run.arguments(explicit: explicit), positionals: [target])
    }

    var query: String {
        var b = QueryBuilder()
        b.add("target", target)
        b.add("draft", draft)
        b.add("gpu", gpus)
        run.addQuery(&b)
        return b.string
    }
}

/// "Compare GPUs": `specfit compare GPU GPU… [--target T --draft D]… [run options]`.
public struct CompareInputs: Sendable, Equatable {
    /// A target and its draft (nil: none).
    public struct Pair: Sendable, Equatable {
        public var target: String
        public var draft: String?
        public init(target: String, draft: String? = nil) { self.target = target; self.draft = draft }
    }

    /// Two or more configurations ("rtx-4090", "2x rtx-3090").
    public var gpus: [String]
    /// The pairs to compare on; empty means the catalog's pairs (catalog/pairs.csv).
    public var pairs: [Pair] = []
    public var run = RunInputs()

    public init(gpus: [String], pairs: [Pair] = [], run: RunInputs = RunInputs()) {
        self.gpus = gpus; self.pairs = pairs; self.run = run
    }

    static let keys = ["gpu", "target", "draft"] + RunInputs.keys

    /// A `draft` belongs to the `target` before it (`target=A&draft=X&target=B`), so a form's blank draft
    /// field keeps its row; `draft=none` is no draft.
    public static func parse(_ q: Query) throws(WebError) -> CompareInputs? {
        let gpus = try q.names("gpu")
        _ = try q.names("target")
        _ = try q.names("draft")
        var rows: [(target: String, draft: String?)] = []
        for (key, value) in q.rawPairs where key == "target" || key == "draft" {
            if key == "target" {
                rows.append((value, nil))
            } else if !value.isEmpty {
                guard let last = rows.indices.last, rows[last].draft == nil else {
                    throw .badRequest("draft: '\(value)' has no target before it; give target=T&draft=D")
                }
                rows[last].draft = value
            }
        }
        var pairs: [Pair] = []
        for r in rows {
            if r.target.isEmpty {
                if let d = r.draft, d.lowercased() != "none" { throw .badRequest("draft: '\(d)' has no target; fill in its target") }
                continue
            }
            pairs.append(Pair(target: r.target, draft: r.draft.flatMap { $0.lowercased() == "none" ? nil : $0 }))
        }
        let run = try RunInputs(q)
        if gpus.isEmpty && pairs.isEmpty { return nil }
        guard gpus.count >= 2 else { throw .badRequest("gpu: give at least two GPUs to compare (gpu=rtx-4090&gpu=rx-7900-xtx)") }
        guard Set(gpus.map { $0.lowercased() }).count == gpus.count else { throw .unprocessable("gpu: the same GPU is given twice") }
        return CompareInputs(gpus: gpus, pairs: pairs, run: run)
    }

    public func arguments(explicit: Bool) -> CommandLineArguments {
        // The command line pairs the n-th --draft with the n-th --target: once any pair has a draft,
        // every pair says its own ("none" for no draft).
        let anyDraft = pairs.contains { $0.draft != nil }
        var o: [String] = []
        for p in pairs {
            o += ["--target", p.target]
            if anyDraft { o += ["--draft", p.draft ?? "none"] }
        }
        return CommandLineArguments(command: ["compare"], options: o + run.arguments(explicit: explicit), positionals: gpus)
    }

    var query: String {
        var b = QueryBuilder()
        b.add("gpu", gpus)
        for p in pairs {
            b.add("target", p.target)
            b.add("draft", p.draft)
        }
        run.addQuery(&b)
        return b.string
    }
}

/// "Choose a GPU": `specfit choose-gpu TARGET [--draft D] [--min-tps N] [--budget USD] [--vendor V]… [--top N]`.
public struct ChooseGPUInputs: Sendable, Equatable {
    public var target: String
    public var draft: String?
    public var minTPS: Double = 0
    public var budget: Double?
    public var vendors: [String] = []
    public var top = 15
    public var run = RunInputs()

    public init(target: String, draft: String? = nil, minTPS: Double = 0, budget: Double? = nil, vendors: [String] = [], top: Int = 15,
                run: RunInputs = RunInputs()) {
        self.target = target; self.draft = draft; self.minTPS = minTPS; self.budget = budget; self.vendors = vendors; self.top = top; self.run = run
    }

    public static let vendorChoices = ["nvidia", "amd", "intel", "apple"]
    static let keys = ["target", "draft", "min-tps", "budget", "vendor", "top"] + RunInputs.keys

    public static func parse(_ q: Query) throws(WebError) -> ChooseGPUInputs? {
        let vendors = try q.all("vendor").map { v throws(WebError) -> String in
            guard let c = vendorChoices.first(where: { $0 == v.lowercased() }) else {
                throw .unprocessable("vendor: '\(v)' is not one of \(vendorChoices.joined(separator: ", "))")
            }
            return c
        }
        let minTPS = try q.double("min-tps", 0...100_000)
        let budget = try q.double("budget", 0...1e9, openBelow: true)
        let top = try q.int("top", 1...500)
        let run = try RunInputs(q)
        guard let target = try q.name("target") else {
            if q.has("draft") { throw .badRequest("target: missing; a draft needs a target model") }
            return nil
        }
        return ChooseGPUInputs(target: target, draft: try q.name("draft"), minTPS: minTPS ?? 0, budget: budget,
                               vendors: vendors, top: top ?? 15, run: run)
    }

    public func arguments(explicit: Bool) -> CommandLineArguments {
        var o: [String] = []
        if let draft { o += ["--draft", draft] }
        if explicit || minTPS != 0 { o += ["--min-tps", Query.format(minTPS)] }
        if let budget { o += ["--budget", Query.format(budget)] }
        for v in vendors { o += ["--vendor", v] }
        if explicit || top != 15 { o += ["--top", String(top)] }
        return CommandLineArguments(command: ["choose-gpu"], options: o + run.arguments(explicit: explicit), positionals: [target])
    }

    var query: String {
        var b = QueryBuilder()
        b.add("target", target)
        b.add("draft", draft)
        if minTPS != 0 { b.add("min-tps", Query.format(minTPS)) }
        b.add("budget", budget.map(Query.format))
        b.add("vendor", vendors)
        if top != 15 { b.add("top", String(top)) }
        run.addQuery(&b)
        return b.string
    }
}

/// "Cost": `specfit cost TARGET [--draft D] [--gpu G]… [--kwh-price P] [--hours-per-day H] [--lifetime-years Y]
/// [--cloud-price-per-mtok P] [--cpu-watts W] [--hardware-price USD]`.
public struct CostInputs: Sendable, Equatable {
    public var target: String
    public var draft: String?
    public var gpus: [String] = []
    public var kWhPrice = 0.30
    public var hoursPerDay = 8.0
    public var lifetimeYears = 3.0
    public var cloudPricePerMTok: Double?
    public var cpuWatts = 65.0
    public var hardwarePrice: Double?
    public var run = RunInputs()

    public init(target: String, draft: String? = nil, gpus: [String] = [], run: RunInputs = RunInputs()) {
        self.target = target; self.draft = draft; self.gpus = gpus; self.run = run
    }

    static let keys = ["target", "draft", "gpu", "kwh-price", "hours-per-day", "lifetime-years", "cloud-price-per-mtok", "cpu-watts",
                       "hardware-price"] + RunInputs.keys

    public static func parse(_ q: Query) throws(WebError) -> CostInputs? {
        let gpus = try q.names("gpu")
        let kwh = try q.double("kwh-price", 0...100)
        let hours = try q.double("hours-per-day", 0...24, openBelow: true)
        let years = try q.double("lifetime-years", 0...50, openBelow: true)
        let cloud = try q.double("cloud-price-per-mtok", 0...10_000)
        let watts = try q.double("cpu-watts", 0...5_000)
        let hw = try q.double("hardware-price", 0...1e9)
        let run = try RunInputs(q)
        guard let target = try q.name("target") else {
            if q.has("draft") { throw .badRequest("target: missing; a draft needs a target model") }
            return nil
        }
        var c = CostInputs(target: target, draft: try q.name("draft"), gpus: gpus, run: run)
        if let kwh { c.kWhPrice = kwh }
        if let hours { c.hoursPerDay = hours }
        if let years { c.lifetimeYears = years }
        c.cloudPricePerMTok = cloud
        if let watts { c.cpuWatts = watts }
        c.hardwarePrice = hw
        return c
    }

    public func arguments(explicit: Bool) -> CommandLineArguments {
        let d = CostInputs(target: target)
        var o: [String] = []
        if let draft { o += ["--draft", draft] }
        for g in gpus { o += ["--gpu", g] }
        func add(_ flag: String, _ v: Double, _ dv: Double) { if explicit || v != dv { o += [flag, Query.format(v)] } }
        add("--kwh-price", kWhPrice, d.kWhPrice)
        add("--hours-per-day", hoursPerDay, d.hoursPerDay)
        add("--lifetime-years", lifetimeYears, d.lifetimeYears)
        if let cloudPricePerMTok { o += ["--cloud-price-per-mtok", Query.format(cloudPricePerMTok)] }
        add("--cpu-watts", cpuWatts, d.cpuWatts)
        if let hardwarePrice { o += ["--hardware-price", Query.format(hardwarePrice)] }
        return CommandLineArguments(command: ["cost"], options: o + run.arguments(explicit: explicit), positionals: [target])
    }

    var query: String {
        let d = CostInputs(target: target)
        var b = QueryBuilder()
        b.add("target", target)
        b.add("draft", draft)
        b.add("gpu", gpus)
        if kWhPrice != d.kWhPrice { b.add("kwh-price", Query.format(kWhPrice)) }
        if hoursPerDay != d.hoursPerDay { b.add("hours-per-day", Query.format(hoursPerDay)) }
        if lifetimeYears != d.lifetimeYears { b.add("lifetime-years", Query.format(lifetimeYears)) }
        b.add("cloud-price-per-mtok", cloudPricePerMTok.map(Query.format))
        if cpuWatts != d.cpuWatts { b.add("cpu-watts", Query.format(cpuWatts)) }
        b.add("hardware-price", hardwarePrice.map(Query.format))
        run.addQuery(&b)
        return b.string
    }
}

/// "What runs here": `specfit recommend [--task T] [--min-tps N] [--ctx N] [--gpu G]… [--top N]`.
public struct RecommendInputs: Sendable, Equatable {
    public var task = "chat"
    public var minTPS = 5.0
    public var ctx = 4096
    public var gpus: [String] = []
    public var top = 10

    public init() {}

    static let keys = ["task", "min-tps", "ctx", "gpu", "top"]

    /// Never nil: the page answers for its defaults at once.
    public static func parse(_ q: Query) throws(WebError) -> RecommendInputs {
        var r = RecommendInputs()
        if let v = try q.choice("task", RunInputs.tasks) { r.task = v }
        if let v = try q.double("min-tps", 0...100_000) { r.minTPS = v }
        if let v = try q.int("ctx", RunInputs.ctxRange) { r.ctx = v }
        r.gpus = try q.names("gpu")
        if let v = try q.int("top", 1...100) { r.top = v }
        return r
    }

    public func arguments(explicit: Bool) -> CommandLineArguments {
        let d = RecommendInputs()
        var o: [String] = []
        if explicit || task != d.task { o += ["--task", task] }
        if explicit || minTPS != d.minTPS { o += ["--min-tps", Query.format(minTPS)] }
        if explicit || ctx != d.ctx { o += ["--ctx", String(ctx)] }
        for g in gpus { o += ["--gpu", g] }
        if explicit || top != d.top { o += ["--top", String(top)] }
        return CommandLineArguments(command: ["recommend"], options: o, positionals: [])
    }

    var query: String {
        let d = RecommendInputs()
        var b = QueryBuilder()
        if task != d.task { b.add("task", task) }
        if minTPS != d.minTPS { b.add("min-tps", Query.format(minTPS)) }
        if ctx != d.ctx { b.add("ctx", String(ctx)) }
        b.add("gpu", gpus)
        if top != d.top { b.add("top", String(top)) }
        return b.string
    }
}

/// The catalog browser: a table, a search, or one row (`specfit catalog list|search|show`).
public enum CatalogInputs: Sendable, Equatable {
    case list(table: String)
    case search(text: String)
    case show(name: String)

    static let keys = ["table", "q", "name"]

    /// The page's default is the models table.
    public static func parse(_ q: Query, tables: [String]) throws(WebError) -> CatalogInputs {
        let table = try q.string("table"), text = try q.string("q"), name = try q.name("name")
        guard [table, text, name].compactMap({ $0 }).count <= 1 else { throw .badRequest("give one of table, q or name") }
        if let name { return .show(name: name) }
        if let text { return .search(text: text) }
        guard let table else { return .list(table: "models") }
        guard tables.contains(table) else {
            throw .notFound("unknown table '\(table)'; the catalog has \(tables.joined(separator: ", "))", candidates: tables)
        }
        return .list(table: table)
    }

    public func arguments() -> CommandLineArguments {
        switch self {
        case .list(let t): CommandLineArguments(command: ["catalog", "list"], options: [], positionals: [t])
        case .search(let s): CommandLineArguments(command: ["catalog", "search"], options: [], positionals: [s])
        case .show(let n): CommandLineArguments(command: ["catalog", "show"], options: [], positionals: [n])
        }
    }

    var query: String {
        var b = QueryBuilder()
        switch self {
        case .list(let t): b.add("table", t)
        case .search(let s): b.add("q", s)
        case .show(let n): b.add("name", n)
        }
        return b.string
    }
}
