namespace LongTail.Bench;

// Placeholder replaced by the evaluator branch.
public static class EvaluateCommand
{
    public static int Run(string[] args) => throw new BenchArgumentException("evaluate: not merged yet");
}
