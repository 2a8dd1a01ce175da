// The other end of the floor scenario (floor-scenario.ts): a process that sends every datagram it
// gets straight back, doing nothing else. It tells its parent its port over the IPC channel.
import dgram from 'node:dgram';

const socket = dgram.createSocket('udp4');
socket.on('message', (msg, from) => socket.send(msg, from.port, from.address));
socket.bind(0, '127.0.0.1', () => process.send?.(socket.address().port));
process.on('disconnect', () => process.exit(0));
