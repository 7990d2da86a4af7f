namespace LongTail.Cli.Tests;

[Collection("cli")]
public sealed class BadInputTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lt-bad-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private void AssertFails(int expectedExit, string expectedMessage, params string[] args)
    {
        string output = Path.Combine(_directory, "out");
        var (exit, log) = CliFixture.Run([.. args, "--output", output]);
        Assert.True(exit == expectedExit, $"exit {exit}, expected {expectedExit}: {log}");
        Assert.Contains(expectedMessage, log);
        // Nothing half-written: no output folder, no staging folder.
        Assert.False(Directory.Exists(output), log);
        Assert.Empty(Directory.GetDirectories(_directory, ".out.partial-*"));
    }

    [Fact]
    public void UnparsableFile_NamesTheLineAndColumn()
    {
        string data = Write("ragged.csv", "a,b,label\n1,2,x\n3,4,y\n5,6,x,7\n");
        AssertFails(2, "line 4, column 7: expected 3 fields, found 4", "train", "--data", data, "--label", "label");
        string quote = Write("quote.csv", "a,b,label\n1,2,x\n3,\"4,y\n");
        AssertFails(2, "line 3, column 3: a quoted field is not closed", "train", "--data", quote, "--label", "label");
    }

    [Fact]
    public void MissingOrSingleValuedLabel_IsRefused()
    {
        string data = CliFixture.Multiclass(_directory);
        AssertFails(2, "there is no column 'nope'. Columns: id, x1, x2, colour, note, constant, kind", "train", "--data", data, "--label", "nope");
        AssertFails(2, "has a single value ('same')", "train", "--data", data, "--label", "constant");
    }

    [Fact]
    public void RegressionTargetWithNaN_IsRefusedWithTheLine()
    {
        string data = CliFixture.Regression(_directory, withNaN: true);
        AssertFails(2, "line 8: the regression target 'y' is missing or NaN", "train", "--data", data, "--label", "y", "--task", "regression");
    }

    [Fact]
    public void BudgetTooSmall_UnwritableOutput_UnknownOption_MissingFile()
    {
        string data = CliFixture.Multiclass(_directory);
        AssertFails(3, "too small for one trial", "train", "--data", data, "--label", "kind", "--budget", "0.5");

        string blocker = Write("blocker", "a file, not a folder");
        var (exit, log) = CliFixture.Run("train", "--data", data, "--label", "kind", "--output", Path.Combine(blocker, "out"));
        Assert.True(exit == 4, log);
        Assert.Contains("cannot be written", log);

        AssertFails(1, "--frobnicate", "train", "--data", data, "--label", "kind", "--frobnicate", "3");
        AssertFails(1, "Argument 'accuracy' not recognized", "train", "--data", data, "--label", "kind", "--metric", "accuracy");
        AssertFails(2, "does not exist", "train", "--data", Path.Combine(_directory, "missing.csv"), "--label", "kind");
    }
}
