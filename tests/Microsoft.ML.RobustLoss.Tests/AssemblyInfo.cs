// TorchSharp's random generator and thread count are process-wide: trainings running side by side would draw from the
// same generator, and the reproducibility tests would see each other's draws.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
