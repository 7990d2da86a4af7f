using System.Globalization;
using Microsoft.ML.LongTail.Sweeping;
using Spectre.Console;

namespace LongTail.Cli;

/// <summary>Shows the sweep's progress: trials done, best so far, time left.</summary>
internal abstract class SweepProgressView : IProgress<SweepTrial>
{
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    protected SweepProgressView(double budgetSeconds, string metric)
    {
        BudgetSeconds = budgetSeconds;
        Metric = metric;
    }

    protected double BudgetSeconds { get; }

    protected string Metric { get; }

    protected SweepTrial? Best { get; private set; }

    protected int Done { get; private set; }

    /// <summary>Trials stopped by racing (clearly worse than the best after a few folds).</summary>
    protected int RacedOut { get; private set; }

    /// <summary>"12 trials" or "12 trials (5 raced out)".</summary>
    protected string DoneText => RacedOut == 0 ? $"{Done} trials" : $"{Done} trials ({RacedOut} raced out)";

    protected double SecondsLeft => Math.Max(0, BudgetSeconds - _clock.Elapsed.TotalSeconds);

    public void Report(SweepTrial value)
    {
        Done++;
        if (value.Status == SweepTrialStatus.RacedOut)
            RacedOut++;
        if (value.IsBestSoFar)
            Best = value;
        Show(value);
    }

    /// <summary>Runs <paramref name="sweep"/> with this view attached.</summary>
    public virtual T Run<T>(Func<T> sweep) => sweep();

    protected abstract void Show(SweepTrial trial);

    protected static string Score(SweepTrial t) => t.Status == SweepTrialStatus.Completed
        ? string.Create(CultureInfo.InvariantCulture, $"{t.MetricMean:0.0000} ± {t.MetricStandardDeviation:0.0000}")
        : SweepTrial.StatusName(t.Status);

    /// <summary>The live Spectre.Console table where stdout is a terminal, plain lines otherwise.</summary>
    public static SweepProgressView Create(TextWriter output, double budgetSeconds, string metric) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive
            ? new LiveView(budgetSeconds, metric)
            : new PlainView(output, budgetSeconds, metric);

    private sealed class PlainView(TextWriter output, double budget, string metric) : SweepProgressView(budget, metric)
    {
        protected override void Show(SweepTrial t)
        {
            string best = Best is null ? "none yet" : string.Create(CultureInfo.InvariantCulture, $"{Best.MetricMean:0.0000} (#{Best.Index})");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  trial {t.Index,3}  {Score(t),-17} {t.Seconds,5:0.0} s  {t.Description}") +
                (t.Status != SweepTrialStatus.Completed ? $"  [{t.Error}]" : ""));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"             best {Metric} so far {best}; {DoneText}; {SecondsLeft:0} s left"));
        }
    }

    private sealed class LiveView(double budget, string metric) : SweepProgressView(budget, metric)
    {
        private readonly Table _table = new Table().Border(TableBorder.Rounded)
            .AddColumn("#").AddColumn("pipeline").AddColumn(new TableColumn(metric).RightAligned()).AddColumn(new TableColumn("s").RightAligned());
        private LiveDisplayContext? _context;

        public override T Run<T>(Func<T> sweep)
        {
            _table.Title = new TableTitle($"Sweep: optimising {Metric}, budget {BudgetSeconds:0} s (Ctrl-C stops and keeps the best)");
            T result = default!;
            AnsiConsole.Live(_table).AutoClear(false).Start(ctx =>
            {
                _context = ctx;
                result = sweep();
            });
            return result;
        }

        protected override void Show(SweepTrial t)
        {
            _table.AddRow(new Markup(t.Index.ToString(CultureInfo.InvariantCulture)),
                new Markup(Markup.Escape(t.Description)),
                new Markup(t.IsBestSoFar ? $"[green]{Markup.Escape(Score(t))}[/]" : t.Status switch
                {
                    SweepTrialStatus.Completed => Markup.Escape(Score(t)),
                    SweepTrialStatus.RacedOut => $"[grey]{Markup.Escape(Score(t))}[/]",
                    _ => $"[red]{Markup.Escape(Score(t))}[/]",
                }),
                new Markup(t.Seconds.ToString("0.0", CultureInfo.InvariantCulture)));
            while (_table.Rows.Count > 12)
                _table.Rows.RemoveAt(0);
            string best = Best is null ? "none yet" : $"{Best.MetricMean:0.0000} (#{Best.Index}: {Best.Description})";
            _table.Caption = new TableTitle(Markup.Escape($"{DoneText} done; best so far {best}; {SecondsLeft:0} s left"));
            _context?.Refresh();
        }
    }
}
