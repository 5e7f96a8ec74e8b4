package io.sluice.client.examples;

import io.sluice.client.BeanstalkClient;
import io.sluice.client.ClientConfig;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** Puts one job per address into the {@code emails} tube. Usage: {@code ProducerExample [port]}. */
public final class ProducerExample {
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 11300;
        ClientConfig config = ClientConfig.builder().host("127.0.0.1").port(port).build();
        try (BeanstalkClient client = BeanstalkClient.connect(config)) {
            client.use("emails");
            for (String to : List.of("ada@example.com", "alan@example.com")) {
                long id = client.put(0, Duration.ZERO, Duration.ofSeconds(60), to.getBytes(StandardCharsets.UTF_8));
                System.out.println("queued job " + id + " for " + to);
            }
        }
    }
}
