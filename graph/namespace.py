"""The clusterkg ontology namespace. Generated from ontology/clusterkg.ttl by
`python -m clusterkg.graph.ontology`: do not edit; a test fails when it drifts."""

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace


class CKG(DefinedNamespace):
    """Classes and properties of the clusterkg ontology."""

    _fail = True
    ActionLine: URIRef
    BestPractice: URIRef
    Cluster: URIRef
    ClusterOrganisation: URIRef
    ClusterPartnership: URIRef
    ClusterProgramme: URIRef
    ClusterService: URIRef
    ClusterType: URIRef
    Country: URIRef
    DeliveryMode: URIRef
    Discrepancy: URIRef
    EUInitiative: URIRef
    FundingProgramme: URIRef
    FundingSource: URIRef
    InternationalisationProgramme: URIRef
    MeasureRating: URIRef
    MonetaryAmount: URIRef
    MultiFundedProgramme: URIRef
    NationalClusterProgramme: URIRef
    NewClusterService: URIRef
    NonEuropeanClusterProgramme: URIRef
    Objective: URIRef
    OpenEndedProgramme: URIRef
    PhasedProgramme: URIRef
    PolicySituation: URIRef
    PolicySituationKind: URIRef
    ProgrammePhase: URIRef
    RatingValue: URIRef
    Region: URIRef
    RegionalClusterProgramme: URIRef
    SMEFocusedProgramme: URIRef
    ServiceField: URIRef
    SourceDocument: URIRef
    SourceExcerpt: URIRef
    SupportMeasure: URIRef
    Survey: URIRef
    SurveyWave: URIRef
    TargetGroup: URIRef
    Territory: URIRef
    TerritoryPlanningProgramme: URIRef
    TerritoryWithDedicatedProgramme: URIRef
    TransformativeActivity: URIRef
    actionLine: URIRef
    additionalAnswer: URIRef
    addressesClusterType: URIRef
    amount: URIRef
    amountQualifier: URIRef
    annualBudget: URIRef
    budget: URIRef
    budgetPeriod: URIRef
    caseNumber: URIRef
    claim: URIRef
    claimedValue: URIRef
    concerns: URIRef
    concernsProgramme: URIRef
    coordinator: URIRef
    country: URIRef
    currency: URIRef
    deliveryMode: URIRef
    durationMax: URIRef
    durationMin: URIRef
    equivalentAmount: URIRef
    fileName: URIRef
    fundedBy: URIRef
    fundingProgramme: URIRef
    fundingSource: URIRef
    hasComponent: URIRef
    hasPhase: URIRef
    hasPolicySituation: URIRef
    implementedBy: URIRef
    lineEnd: URIRef
    lineStart: URIRef
    nutsCode: URIRef
    nutsLevel: URIRef
    nutsRegion: URIRef
    nutsVersion: URIRef
    objective: URIRef
    openEnded: URIRef
    partOfInitiative: URIRef
    phaseNumber: URIRef
    predecessor: URIRef
    programmeCount: URIRef
    ratedBy: URIRef
    ratedMeasure: URIRef
    ratingSymbol: URIRef
    ratingValue: URIRef
    rawStatement: URIRef
    region: URIRef
    reportedIn: URIRef
    sectoralFocus: URIRef
    serviceField: URIRef
    sha256: URIRef
    situationKind: URIRef
    sourceDocument: URIRef
    sourceTable: URIRef
    supervisedBy: URIRef
    supportsCluster: URIRef
    surveyWave: URIRef
    surveyYear: URIRef
    tableValue: URIRef

    _NS = Namespace("https://w3id.org/clusterkg/ontology#")
