import ArgumentParser
import Catalog
import Foundation
import SpecFitCore

/// `--price rtx-4090=1799` overrides.
func parsePrices(_ specs: [String], base: [String: CardPrice]) throws -> [String: CardPrice] {
    var out = base
    for s in specs {
        let parts = s.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, let amount = Double(parts[1]), amount >= 0 else {
            throw CLIError(message: "--price \(s): write ID=AMOUNT, e.g. --price rtx-4090=1799", code: 1)
        }
        out[parts[0]] = CardPrice(gpuID: parts[0], amount: amount, kind: "user", date: "given on the command line", source: "--price")
    }
    return out
}

struct ChooseGPUCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "choose-gpu",
        abstract: "Which cards (one, or two or four of the same card) run this pair at the wanted context and speed, cheapest first.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var runOptions: RunOptions

    @Argument(help: "Target model (catalog id, alias or GGUF path).")
    var target: String

    @Option(name: .long, help: "Draft model.")
    var draft: String?

    @Option(name: .customLong("min-tps"), help: "Least acceptable predicted tok/s.")
    var minTPS: Double = 0

    @Option(name: .long, help: "Most you would spend on the cards, in USD.")
    var budget: Double?

    @Option(name: .long, parsing: .singleValue, help: "Only these vendors (nvidia, amd, intel, apple); repeatable.")
    var vendor: [String] = []

    @Option(name: .long, parsing: .singleValue, help: "Override a price: ID=AMOUNT (USD); repeatable.")
    var price: [String] = []

    @Option(name: .long, help: "How many to show.")
    var top = 15

    /// The base request and the cards that hold it, cheapest first (what `run` prints; `serve` answers it too).
    func choices(factory: FitRequestFactory) throws -> (base: FitRequest, choices: [GPUChoice]) {
        let base = try factory.request(target: target, draft: draft, run: runOptions, gpus: [])
        let vendors = Set(vendor.map { $0.lowercased() })
        if let bad = vendors.first(where: { !["nvidia", "amd", "intel", "apple"].contains($0) }) {
            throw CLIError(message: "--vendor \(bad): use nvidia, amd, intel or apple", code: 1)
        }
        if let b = budget, b <= 0 { throw CLIError(message: "--budget must be positive", code: 1) }
        let cards = factory.allCards.filter { vendors.isEmpty || vendors.contains($0.vendor.lowercased()) }
        let prices = try parsePrices(price, base: try factory.catalog.prices())
        return (base, GPUChooser.choose(base: base, cards: cards, prices: prices, minTokensPerSecond: minTPS, budget: budget))
    }

    func run() throws {
        let catalog = try global.openCatalog()
        let factory = try FitRequestFactory(catalog: catalog, global: global)
        let (base, choices) = try self.choices(factory: factory)
        let vendors = Set(vendor.map { $0.lowercased() })
        if global.json {
            struct Out: Encodable { let target: String; let draft: String?; let nCtx: Int; let choices: [GPUChoice] }
            try printJSON(Out(target: base.target.id, draft: base.draft?.id, nCtx: base.config.nCtx, choices: Array(choices.prefix(top))))
            return
        }
        print("Cards that hold \(base.target.id)\(base.draft.map { " + draft \($0.id)" } ?? "") whole at n_ctx \(base.config.nCtx)" +
              (minTPS > 0 ? " and ≥ \(minTPS) tok/s" : "") + (budget.map { String(format: " within $%.0f", $0) } ?? "") + " (host: \(base.host.cpuName))")
        if choices.isEmpty {
            print("  none in the catalog\(vendors.isEmpty ? "" : " for \(vendors.sorted().joined(separator: ", "))"): try a smaller quant (--quant), a shorter context (--ctx) or --min-tps 0")
            return
        }
        for c in choices.prefix(top) {
            let priceText = c.totalPrice.map { String(format: "$%.0f", $0) + (c.price.map { " (\($0.kind) \($0.date))" } ?? "") } ?? "no price known"
            let spec = c.speculativeTokensPerSecond.map { String(format: ", %.1f speculative", $0) } ?? ""
            print(String(format: "  %@ %@  %@  headroom %.1f GiB, %.1f tok/s plain%@", "\(c.count)× \(c.gpuID)".padding(toLength: 26, withPad: " ", startingAt: 0),
                         priceText.padding(toLength: 34, withPad: " ", startingAt: 0), c.kind.rawValue, gib(c.headroomBytes), c.plainTokensPerSecond, spec))
        }
        if choices.count > top { print("  … \(choices.count - top) more (--top N)") }
    }
}

struct CostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost",
        abstract: "Cost per million generated tokens on local hardware against a cloud price, and the break-even volume per day.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var runOptions: RunOptions

    @Argument(help: "Target model (catalog id, alias or GGUF path).")
    var target: String

    @Option(name: .long, help: "Draft model.")
    var draft: String?

    @Option(name: .long, parsing: .singleValue, help: "What-if GPU(s) instead of this machine's ('2x rtx-3090'); repeatable.")
    var gpu: [String] = []

    @Option(name: .customLong("kwh-price"), help: "Electricity price per kWh (USD).")
    var kWhPrice = 0.30

    @Option(name: .customLong("hours-per-day"), help: "Hours of generation per day.")
    var hoursPerDay = 8.0

    @Option(name: .customLong("lifetime-years"), help: "Years over which the hardware is amortised.")
    var lifetimeYears = 3.0

    @Option(name: .customLong("cloud-price-per-mtok"), help: "Cloud price per million output tokens (USD); default: the cheapest listed for the model.")
    var cloudPrice: Double?

    @Option(name: .customLong("cpu-watts"), help: "CPU power while generating (W).")
    var cpuWatts = 65.0

    @Option(name: .customLong("hardware-price"), help: "Price of the hardware (USD), instead of the catalog's card prices.")
    var hardwarePrice: Double?

    @Option(name: .long, parsing: .singleValue, help: "Override a card price: ID=AMOUNT; repeatable.")
    var price: [String] = []

    func checkOptions() throws {
        for (name, v) in [("--kwh-price", kWhPrice), ("--cpu-watts", cpuWatts)] where v < 0 { throw CLIError(message: "\(name) must not be negative", code: 1) }
        guard hoursPerDay > 0, hoursPerDay <= 24 else { throw CLIError(message: "--hours-per-day: give 0 < H ≤ 24", code: 1) }
        guard lifetimeYears > 0 else { throw CLIError(message: "--lifetime-years must be positive", code: 1) }
    }

    /// The estimate `run` prints (`serve` answers it too).
    func estimate(factory: FitRequestFactory) throws -> CostEstimate {
        try checkOptions()
        let catalog = factory.catalog
        let cards = try factory.cards(gpu)
        let r = try factory.request(target: target, draft: draft, run: runOptions, gpus: cards)
        let f = FitEngine.evaluate(r, withAdvice: false)
        guard f.kind != .doesNotFit else { throw CLIError(message: "\(f.verdict); nothing to cost", code: 2) }
        let tps = max(f.speed.plainTokensPerSecond.mid, f.speed.speculativeTokensPerSecond?.mid ?? 0)
        // Cards: the what-if ones, or this machine's GPUs matched to the catalog.
        let used: [GPUSpec] = cards.isEmpty ? r.gpus.compactMap { d in factory.allCards.first { $0.id == d.catalogID } } : cards
        let prices = try parsePrices(price, base: try catalog.prices())
        var hw = hardwarePrice
        var hwBasis = hardwarePrice == nil ? "" : "given with --hardware-price"
        if hw == nil, !used.isEmpty {
            let known = used.compactMap { prices[$0.id] }
            if known.count == used.count {
                hw = known.reduce(0) { $0 + $1.amount }
                hwBasis = Dictionary(grouping: known, by: \.gpuID).map { "\($0.value.count)× \($0.key) at $\(String(format: "%.0f", $0.value[0].amount)) (\($0.value[0].kind), \($0.value[0].date))" }.sorted().joined(separator: " + ")
            } else {
                hwBasis = "no price known for \(used.filter { prices[$0.id] == nil }.map(\.id).joined(separator: ", ")): give --price ID=AMOUNT or --hardware-price"
            }
        } else if hw == nil {
            hwBasis = "no GPU: give --hardware-price for the computer"
        }
        let gpuWatts = used.reduce(0.0) { $0 + ($1.boardPowerW ?? 0) }
        var cloud = cloudPrice
        var cloudBasis = cloudPrice == nil ? "" : "given with --cloud-price-per-mtok"
        if cloud == nil, let c = try catalog.cloudPrice(modelID: r.target.id) {
            cloud = c.perMTok
            cloudBasis = "\(c.provider) output price $\(c.perMTok)/Mtok (\(c.date), \(c.source.split(separator: " ").first ?? ""))"
        } else if cloud == nil {
            cloudBasis = "no cloud price listed for \(r.target.id): give --cloud-price-per-mtok"
        }
        let a = CostEstimate.Assumptions(hardwarePrice: hw, hardwarePriceBasis: hwBasis, lifetimeYears: lifetimeYears, hoursPerDay: hoursPerDay,
                                         kWhPrice: kWhPrice, gpuWatts: gpuWatts, cpuWatts: cpuWatts, tokensPerSecond: tps,
                                         tokensPerSecondBasis: "predicted \(f.speed.speculativeTokensPerSecond == nil ? "plain" : "speculative") decode for \(f.verdict.components(separatedBy: " — ").first ?? "")",
                                         cloudPricePerMTok: cloud, cloudPriceBasis: cloudBasis)
        return CostEstimate.compute(a)
    }

    func run() throws {
        try checkOptions()
        let catalog = try global.openCatalog()
        let factory = try FitRequestFactory(catalog: catalog, global: global)
        let e = try estimate(factory: factory)
        let a = e.assumptions
        let (hw, cloud, hwBasis, cloudBasis, tps, gpuWatts) = (a.hardwarePrice, a.cloudPricePerMTok, a.hardwarePriceBasis, a.cloudPriceBasis, a.tokensPerSecond, a.gpuWatts)
        if global.json { try printJSON(e); return }
        print(String(format: "Local: $%.2f per million tokens%@; cloud: %@", e.localPerMTok, hw == nil ? " (electricity only: no hardware price)" : "",
                     cloud.map { String(format: "$%.2f per million tokens", $0) } ?? "no price"))
        if let v = e.breakEvenTokensPerDay {
            print(String(format: "Break-even: %.1f million tokens a day%@", v / 1e6, e.breakEvenReachable == true ? "" : " — more than this machine makes in 24 h, so the cloud stays cheaper"))
        } else if cloud != nil {
            print("Break-even: never — electricity alone costs more per token than the cloud price")
        }
        print("Assumptions")
        print(String(format: "  speed          %.1f tok/s (%@)", tps, a.tokensPerSecondBasis))
        print(String(format: "  use            %.1f h/day → %.2f million tokens/day", hoursPerDay, e.tokensPerDay / 1e6))
        print("  hardware       " + (hw.map { String(format: "$%.0f over %.1f years = $%.2f/day", $0, lifetimeYears, e.hardwarePerDay ?? 0) } ?? "unknown") + " — \(hwBasis)")
        print(String(format: "  power          GPU %.0f W (board power) + CPU %.0f W (assumed; --cpu-watts) at $%.3f/kWh = $%.2f/day, $%.3f per million tokens", gpuWatts, cpuWatts, kWhPrice, e.energyPerDay, e.energyPerMTok))
        print("  cloud          \(cloudBasis)")
    }
}
