/**
 * MQTT components: the pub/sub types {@code mqtt} (MQTT 5) and {@code mqtt3} (MQTT 3.1.1), on the HiveMQ
 * MQTT client.
 *
 * <h2>Connections and sessions</h2>
 * <ul>
 *   <li>Publishing: one connection per component with a clean session; a publish returns once the broker
 *       acknowledged it (PUBACK at QoS 1, PUBREC at QoS 2), and fails as UNAVAILABLE while disconnected.</li>
 *   <li>Subscribing: one connection per subscription, client id
 *       {@code <consumerID>-<instanceID>-<topic hash>-<n>}, persistent session (MQTT 5: session expiry
 *       {@code sessionExpiry}; 3.1.1: clean session off). Closing a subscription disconnects and keeps the
 *       session, so the broker queues what is published meanwhile and resends what was left unacked.</li>
 *   <li>Consumer groups: {@code $share/<consumerID>/<topic>} shared subscriptions (standard in MQTT 5, an
 *       extension for 3.1.1 that Mosquitto, EMQX, HiveMQ and VerneMQ offer); with
 *       {@code sharedSubscriptions=false} every subscription gets every message.</li>
 * </ul>
 *
 * <h2>Delivery</h2>
 * Manual acknowledgement: a message is acked only after the handler's stage completed normally. MQTT has
 * no negative acknowledgement and resends unacked messages only on the next connection, so a failed
 * message is handed to the handler again after {@code redeliveryDelay}, at most {@code backOffMaxRetries}
 * times per connection (-1: no limit). At most maxInFlight messages are with the handler; the rest wait
 * in the subscription, bounded by the broker's in-flight window (no receive maximum is sent: with manual
 * acks HiveMQ client 1.4.2 disconnected against Mosquitto 2.0, reporting the maximum exceeded). Lost connections are
 * re-established every {@code reconnectWait}; subscriptions subscribe again after each reconnect. Acks
 * leave in arrival order (MQTT rule, kept by the HiveMQ client): a message that keeps failing holds back
 * the acks of later ones, which the broker resends after a reconnect, and delivery pauses once the
 * broker's in-flight window is full. Not declared: ORDERING (competing members and redeliveries reorder). MESSAGE_TTL only for MQTT 5
 * (message expiry interval from {@code ttlInSeconds}).
 */
@NullMarked
package io.layotto.components.mqtt;

import org.jspecify.annotations.NullMarked;
