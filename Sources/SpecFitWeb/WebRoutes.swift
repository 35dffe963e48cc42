import Foundation

/// One address the server answers, with the query parameters it takes.
///
/// ``WebRoutes/all`` is the only place routes are declared: the server registers exactly these, the
/// navigation lists the pages, and a test checks them against `docs/openapi.json` both ways.
public struct WebRoute: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// Server-rendered HTML with a GET form; `?format=md|html|json` downloads the report.
        case page
        /// JSON under `/api/`, the same document as the command's `--json`.
        case api
    }

    public enum Name: String, Sendable, CaseIterable {
        case home, probe, fit, compare, chooseGPU = "choose-gpu", cost, recommend, catalog
        case health, catalogTables = "catalog-tables", catalogList = "catalog-list", catalogSearch = "catalog-search",
             catalogShow = "catalog-show"
    }

    public var name: Name
    public var kind: Kind
    public var path: String
    /// Navigation label (pages) or one-line summary (API).
    public var title: String
    /// The query parameters taken; anything else is a 400.
    public var parameters: [String]
}

/// Every page and endpoint `specfit serve` answers, in navigation order for the pages.
public enum WebRoutes {
    /// Pages also take `format` (md, html or json) to download their report.
    public static let formats = ["md", "html", "json"]

    public static let all: [WebRoute] = [
        WebRoute(name: .home, kind: .page, path: "/", title: "Home", parameters: []),
        WebRoute(name: .probe, kind: .page, path: "/probe", title: "This machine", parameters: ["format"]),
        WebRoute(name: .fit, kind: .page, path: "/fit", title: "Will it run?", parameters: FitInputs.keys + ["format"]),
        WebRoute(name: .compare, kind: .page, path: "/compare", title: "Compare GPUs", parameters: CompareInputs.keys + ["format"]),
        WebRoute(name: .chooseGPU, kind: .page, path: "/choose-gpu", title: "Choose a GPU", parameters: ChooseGPUInputs.keys + ["format"]),
        WebRoute(name: .cost, kind: .page, path: "/cost", title: "Cost", parameters: CostInputs.keys + ["format"]),
        WebRoute(name: .recommend, kind: .page, path: "/recommend", title: "What runs here", parameters: RecommendInputs.keys + ["format"]),
        WebRoute(name: .catalog, kind: .page, path: "/catalog", title: "Catalog", parameters: CatalogInputs.keys + ["format"]),

        WebRoute(name: .health, kind: .api, path: "/api/health", title: "Server status and version", parameters: []),
        WebRoute(name: .probe, kind: .api, path: "/api/probe", title: "The machine (`specfit probe --json`)", parameters: []),
        WebRoute(name: .fit, kind: .api, path: "/api/fit", title: "Verdict for a target/draft pair (`specfit fit --json`)", parameters: FitInputs.keys),
        WebRoute(name: .compare, kind: .api, path: "/api/compare", title: "GPUs side by side (`specfit compare --json`)", parameters: CompareInputs.keys),
        WebRoute(name: .chooseGPU, kind: .api, path: "/api/choose-gpu", title: "Cards that hold a pair (`specfit choose-gpu --json`)", parameters: ChooseGPUInputs.keys),
        WebRoute(name: .cost, kind: .api, path: "/api/cost", title: "Cost per million tokens (`specfit cost --json`)", parameters: CostInputs.keys),
        WebRoute(name: .recommend, kind: .api, path: "/api/recommend", title: "Best combinations here (`specfit recommend --json`)", parameters: RecommendInputs.keys),
        WebRoute(name: .catalogTables, kind: .api, path: "/api/catalog/tables", title: "The catalog's tables and row counts", parameters: []),
        WebRoute(name: .catalogList, kind: .api, path: "/api/catalog/list", title: "Rows of a table (`specfit catalog list --json`)", parameters: ["table"]),
        WebRoute(name: .catalogSearch, kind: .api, path: "/api/catalog/search", title: "Rows matching a text (`specfit catalog search --json`)", parameters: ["q"]),
        WebRoute(name: .catalogShow, kind: .api, path: "/api/catalog/show", title: "One row with its source (`specfit catalog show --json`)", parameters: ["name"]),
    ]

    /// The pages, in navigation order.
    public static var pages: [WebRoute] { all.filter { $0.kind == .page } }
}
