package io.sluice.client.examples;

import io.sluice.client.BeanstalkClient;
import io.sluice.client.Cancellation;
import io.sluice.client.ClientConfig;
import io.sluice.client.JobState;
import io.sluice.client.PutOptions;
import io.sluice.client.PutResult;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Sluice only: an idempotent put (a key and a TTL), its state, a cancel. Usage: {@code ExtensionsExample [port]}. */
public final class ExtensionsExample {
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 11300;
        ClientConfig config = ClientConfig.builder().host("127.0.0.1").port(port).build();
        try (BeanstalkClient client = BeanstalkClient.connect(config)) {
            client.use("invoices");
            // One key per invoice. (Made unique here so that the example can run again within the broker's
            // retention time, during which a finished job's key stays taken.)
            String key = "invoice-42-" + System.currentTimeMillis();
            byte[] body = "invoice 42".getBytes(StandardCharsets.UTF_8);
            PutOptions once = PutOptions.builder()
                    .key(key)                    // at most one job per key
                    .ttl(Duration.ofMinutes(30)) // not done within 30 min: expires
                    .build();
            PutResult put = client.put(0, Duration.ZERO, Duration.ofSeconds(60), body, once);
            System.out.println("job " + put.id() + (put.created() ? " created" : " already there"));
            // A retry (say after a ConnectionLostException) creates nothing: it answers the same job.
            PutResult retry = client.put(0, Duration.ZERO, Duration.ofSeconds(60), body, once);
            System.out.println("retry: job " + retry.id() + (retry.created() ? " created" : " already there"));

            JobState state = client.jobStateByKey(key).orElseThrow();
            System.out.println("state: " + state.state().wireName() + ", ttl left under 30 min: "
                    + (state.ttlLeft().orElseThrow().compareTo(Duration.ofMinutes(30)) <= 0));

            Cancellation c = client.cancelByKey(key); // CANCELLING if a worker had it reserved
            System.out.println("cancel: " + c);
            System.out.println("state: " + client.jobState(put.id()).orElseThrow().state().wireName());
        }
    }
}
