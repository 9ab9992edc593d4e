/** Greets someone by name. */
function greet(name) {
  return `Hello, ${name}!`;
}

module.exports = { greet };
