package org.sipadapter.examples.springboot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small call service: one Asterisk adapter from application.yml, a REST endpoint that places
 * calls, a log of call events, health at /actuator/health and metrics at /actuator/prometheus. See
 * docs/spring-boot.md for how to run it against the demo emulator.
 */
@SpringBootApplication
public class CallServiceApplication {

  /**
   * Starts the service.
   *
   * @param args Spring Boot arguments, such as {@code --sipadapter.adapters[0].port=5038}
   */
  public static void main(String[] args) {
    SpringApplication.run(CallServiceApplication.class, args);
  }
}
