package io.tribune.state.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link StateStoreBenchmark} with JMH and prints its figures. Opt-in, never part of the
 * default build: {@code mvn -q -pl modules/state -Pbench test} (the profile enables JMH's
 * annotation processor, runs on the class path and sets {@code -Dtribune.bench=true}).
 * JMH runs in-process (no fork) so it works under Surefire; figures are comparable between runs
 * on the same machine only.
 */
class StateStoreBenchmarkTest {

    @Test
    @EnabledIfSystemProperty(named = "tribune.bench", matches = "true")
    void runBenchmarks() throws RunnerException {
        Options opts = new OptionsBuilder()
                .include(StateStoreBenchmark.class.getName())
                .forks(0)
                .warmupIterations(3)
                .warmupTime(TimeValue.seconds(2))
                .measurementIterations(5)
                .measurementTime(TimeValue.seconds(2))
                .threads(1)
                .resultFormat(ResultFormatType.TEXT)
                .result("target/jmh-result.txt")
                .build();
        new Runner(opts).run();
    }
}
