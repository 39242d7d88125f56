//! The `kyotei` command line: argument handling and glue. The only place that reads the clock.

fn main() {
    println!("kyotei");
}
