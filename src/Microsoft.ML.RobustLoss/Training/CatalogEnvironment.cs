using System.Reflection;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.RobustLoss;

/// <summary>
/// The host environment behind an ML.NET trainers catalog (the <see cref="MLContext"/>'s own environment, whose messages
/// reach <see cref="MLContext.Log"/>). ML.NET keeps it internal (<c>TrainCatalogBase.Environment</c>), so it is read by
/// reflection; if that ever fails the trainers log to a private context instead (training is unaffected).
/// </summary>
internal static class CatalogEnvironment
{
    public static IHostEnvironment? Of(TrainCatalogBase.CatalogInstantiatorBase catalog)
    {
        const BindingFlags flags = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
        var owner = typeof(TrainCatalogBase.CatalogInstantiatorBase).GetProperty("Owner", flags)?.GetValue(catalog);
        return owner is null ? null : typeof(TrainCatalogBase).GetProperty("Environment", flags)?.GetValue(owner) as IHostEnvironment;
    }
}
