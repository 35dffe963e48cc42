import Foundation

/// A dated price of a card (`catalog/prices.csv`) or one the user gave (`--price id=AMOUNT`).
public struct CardPrice: Codable, Sendable, Equatable {
    public var gpuID: String
    public var amount: Double
    public var currency: String
    /// "launch_msrp", "system_price", "reported_price" or "user".
    public var kind: String
    public var date: String
    public var source: String

    public init(gpuID: String, amount: Double, currency: String = "USD", kind: String, date: String, source: String) {
        self.gpuID = gpuID; self.amount = amount; self.currency = currency; self.kind = kind; self.date = date; self.source = source
    }
}

/// One configuration that runs the pair: `count` cards of one kind.
public struct GPUChoice: Codable, Sendable, Equatable {
    public var gpuID: String
    public var name: String
    public var count: Int
    /// Price of all `count` cards, nil when no price is known.
    public var totalPrice: Double?
    public var price: CardPrice?
    public var kind: PlacementKind
    /// Smallest free memory left on any card after the plan (usable − margin − used), bytes.
    public var headroomBytes: Int64
    public var plainTokensPerSecond: Double
    public var speculativeTokensPerSecond: Double?
    public var tokensPerSecond: Double
    public var verdict: String
}

/// The reverse of `fit` (issue #10): which cards — one, or two or four of the same card — run a pair at the
/// wanted context and speed, ranked by price where a price is known and by predicted tok/s otherwise.
public enum GPUChooser {
    public static let counts = [1, 2, 4]

    /// - Parameters:
    ///   - base: the pair, config, host and priors; its GPUs are replaced by each candidate configuration.
    ///   - cards: candidate cards (filtered by vendor already); unified-memory and host-dependent rows are tried alone.
    ///   - prices: at most one price per card id (the caller picks the newest or the user's).
    ///   - budget: configurations whose known total price exceeds it are left out; unpriced ones are kept and say so.
    public static func choose(base: FitRequest, cards: [GPUSpec], prices: [String: CardPrice], minTokensPerSecond: Double = 0,
                              budget: Double? = nil) -> [GPUChoice] {
        var out: [GPUChoice] = []
        for card in cards where card.vramMiB > 0 && card.bandwidthGBps > 0 {
            // Several cards only when one cannot: stop at the smallest count that works.
            for n in (card.unifiedMemory || card.variant == .igpu || card.variant == .laptop ? [1] : counts) {
                var r = base
                r.gpus = Array(repeating: MachineResources.device(card), count: n)
                if card.unifiedMemory {
                    r.host.usableRAMBytes = card.vramBytes
                    r.host.ramBasis = "\(card.vramMiB) MiB unified memory of \(card.id)"
                }
                let f = FitEngine.evaluate(r, withAdvice: false)
                let tps = max(f.speed.plainTokensPerSecond.mid, f.speed.speculativeTokensPerSecond?.mid ?? 0)
                guard f.kind == .allOnGPU, tps >= minTokensPerSecond else { continue }
                let price = prices[card.id]
                let total = price.map { $0.amount * Double(n) }
                if let budget, let total, total > budget { break }
                let headroom = zip(f.placement.gpus, r.gpus).map { u, d in d.budgetBytes - u.usedBytes }.min() ?? 0
                out.append(GPUChoice(gpuID: card.id, name: card.name, count: n, totalPrice: total, price: price, kind: f.kind,
                                     headroomBytes: headroom, plainTokensPerSecond: f.speed.plainTokensPerSecond.mid,
                                     speculativeTokensPerSecond: f.speed.speculativeTokensPerSecond?.mid, tokensPerSecond: tps,
                                     verdict: f.verdict))
                break
            }
        }
        return out.sorted { a, b in
            switch (a.totalPrice, b.totalPrice) {
            case let (x?, y?): return x != y ? x < y : a.tokensPerSecond > b.tokensPerSecond
            case (.some, .none): return true
            case (.none, .some): return false
            case (.none, .none): return a.tokensPerSecond != b.tokensPerSecond ? a.tokensPerSecond > b.tokensPerSecond : a.gpuID < b.gpuID
            }
        }
    }
}

/// Cost per million generated tokens on local hardware against a cloud price (issue #10).
public struct CostEstimate: Codable, Sendable, Equatable {
    public struct Assumptions: Codable, Sendable, Equatable {
        public var hardwarePrice: Double?
        public var hardwarePriceBasis: String
        public var lifetimeYears: Double
        public var hoursPerDay: Double
        public var kWhPrice: Double
        public var gpuWatts: Double
        public var cpuWatts: Double
        public var tokensPerSecond: Double
        public var tokensPerSecondBasis: String
        public var cloudPricePerMTok: Double?
        public var cloudPriceBasis: String

        public init(hardwarePrice: Double?, hardwarePriceBasis: String, lifetimeYears: Double, hoursPerDay: Double, kWhPrice: Double,
                    gpuWatts: Double, cpuWatts: Double, tokensPerSecond: Double, tokensPerSecondBasis: String,
                    cloudPricePerMTok: Double?, cloudPriceBasis: String) {
            self.hardwarePrice = hardwarePrice; self.hardwarePriceBasis = hardwarePriceBasis; self.lifetimeYears = lifetimeYears
            self.hoursPerDay = hoursPerDay; self.kWhPrice = kWhPrice; self.gpuWatts = gpuWatts; self.cpuWatts = cpuWatts
            self.tokensPerSecond = tokensPerSecond; self.tokensPerSecondBasis = tokensPerSecondBasis
            self.cloudPricePerMTok = cloudPricePerMTok; self.cloudPriceBasis = cloudPriceBasis
        }
    }
    public var assumptions: Assumptions
    /// Tokens generated per day at `hoursPerDay` of use.
    public var tokensPerDay: Double
    /// Hardware amortised per day (price / (lifetime × 365)), nil without a price.
    public var hardwarePerDay: Double?
    /// Electricity per day at `hoursPerDay`: (GPU + CPU watts) / 1000 × hours × price per kWh.
    public var energyPerDay: Double
    /// (hardware per day + energy per day) / (tokens per day / 10^6); energy only when no hardware price is known.
    public var localPerMTok: Double
    public var energyPerMTok: Double
    /// Daily volume at which local and cloud cost the same, tokens; nil when the cloud is cheaper at any volume
    /// (energy per token already costs more) or no cloud price is known.
    public var breakEvenTokensPerDay: Double?
    /// Whether the break-even volume fits in 24 hours of generation.
    public var breakEvenReachable: Bool?

    /// - Formula: the machine runs just long enough to make V tokens a day, so local cost per day is
    ///   `A + W/1000 · V/(3600·tps) · price_kWh` with A the hardware per day; the cloud costs `V · C / 10^6`; they meet at
    ///   `V* = A / (C/10^6 − W/1000 · price_kWh / (3600·tps))`.
    public static func compute(_ a: Assumptions) -> CostEstimate {
        let watts = a.gpuWatts + a.cpuWatts
        let tokensPerDay = a.tokensPerSecond * 3600 * a.hoursPerDay
        let hardwarePerDay = a.hardwarePrice.map { $0 / (a.lifetimeYears * 365) }
        let energyPerDay = watts / 1000 * a.hoursPerDay * a.kWhPrice
        let energyPerToken = watts / 1000 * a.kWhPrice / (3600 * a.tokensPerSecond)
        let local = ((hardwarePerDay ?? 0) + energyPerDay) / (tokensPerDay / 1e6)
        var breakEven: Double?
        var reachable: Bool?
        if let c = a.cloudPricePerMTok {
            let margin = c / 1e6 - energyPerToken
            if margin > 0 {
                let v = (hardwarePerDay ?? 0) / margin
                breakEven = v
                reachable = v <= a.tokensPerSecond * 86400
            }
        }
        return CostEstimate(assumptions: a, tokensPerDay: tokensPerDay, hardwarePerDay: hardwarePerDay, energyPerDay: energyPerDay,
                            localPerMTok: local, energyPerMTok: energyPerToken * 1e6, breakEvenTokensPerDay: breakEven,
                            breakEvenReachable: reachable)
    }
}
