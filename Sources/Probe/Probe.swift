public enum ProbePlaceholder {}
